"""What the accessibility tests share: TAP output, finding the app and its widgets on the
accessibility bus (AT-SPI) and acting on them as a screen reader or keyboard user would."""

import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

results = []


def ok(cond, what):
    results.append((bool(cond), what))
    print(('ok %d - %s' if cond else 'not ok %d - %s') % (len(results), what), flush=True)
    return cond


def comment(text):
    for line in str(text).splitlines() or ['']:
        print('# ' + line, flush=True)


def all_passed():
    return bool(results) and all(r for r, _ in results)


def walk(acc, depth=0):
    if acc is None or depth > 60:
        return
    yield acc
    try:
        n = acc.get_child_count()
    except Exception:
        return
    for i in range(n):
        yield from walk(acc.get_child_at_index(i), depth + 1)


def name_matches(acc, role, name):
    # GTK 4.8 names a button with a mnemonic "Label Label": match the start.
    if acc.get_role_name() != role:
        return False
    if name is None or acc.get_name() == name:
        return True
    return role in ('push button', 'toggle button') and (acc.get_name() or '').startswith(name + ' ')


def find(root, role, name, timeout=10.0):
    end = time.time() + timeout
    while True:
        for acc in walk(root):
            try:
                if name_matches(acc, role, name):
                    return acc
            except Exception:
                pass
        if time.time() >= end:
            return None
        time.sleep(0.2)


def find_all(root, role, name=None):
    out = []
    for acc in walk(root):
        try:
            if name_matches(acc, role, name):
                out.append(acc)
        except Exception:
            pass
    return out


def find_app(name='joconde', timeout=45.0):
    end = time.time() + timeout
    while time.time() < end:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            a = desktop.get_child_at_index(i)
            if a is not None and a.get_name() == name:
                return a
        time.sleep(0.2)
    return None


def click(acc):
    # A GTK 4 button offers one action, "click".
    return acc is not None and Atspi.Action.get_n_actions(acc) > 0 and Atspi.Action.do_action(acc, 0)


def type_into(acc, text):
    if acc is None:
        return False
    if 'EditableText' in acc.get_interfaces():
        return Atspi.EditableText.set_text_contents(acc, text)
    # No EditableText: focus the widget and type, as a keyboard user does.
    Atspi.Component.grab_focus(acc)
    time.sleep(0.2)
    Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)
    time.sleep(0.3)
    return True


def text_of(acc):
    if 'Text' not in acc.get_interfaces():
        return acc.get_name()
    return Atspi.Text.get_text(acc, 0, Atspi.Text.get_character_count(acc))


def find_entry(root, label, timeout=2.0):
    """An entry by its accessible name: GTK exposes entries as "text" (or "entry")."""
    end = time.time() + timeout
    while True:
        for role in ('text', 'entry'):
            acc = find(root, role, label, timeout=0)
            if acc is not None:
                return acc
        if time.time() >= end:
            return None
        time.sleep(0.2)


def select(combo, index):
    """Chooses item INDEX of a combo box through its Selection, without the pop-up."""
    return combo is not None and 'Selection' in combo.get_interfaces() \
        and Atspi.Selection.select_child(combo, index)


def wait_label(root, predicate, timeout=10.0):
    """The text of a label under ROOT for which PREDICATE holds, or None. (GTK 4.8 names a
    label by its text, not by its accessible label: labels are found by what they say.)"""
    end = time.time() + timeout
    while True:
        for acc in walk(root):
            try:
                if acc.get_role_name() == 'label' and predicate(text_of(acc) or ''):
                    return text_of(acc)
            except Exception:
                pass
        if time.time() >= end:
            return None
        time.sleep(0.3)


def label_texts(root, min_length=0):
    return [t for t in (text_of(a) or '' for a in find_all(root, 'label')) if len(t) >= min_length]
