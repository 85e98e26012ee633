#!/usr/bin/python3
"""Drives the real `joconde` binary through the accessibility bus (AT-SPI), as a screen
reader or a keyboard user would: the task list's filter, and an organiser filling New Task.
Run under dbus-run-session and xvfb-run (see meson.build). Prints TAP."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

results = []


def ok(cond, what):
    results.append((bool(cond), what))
    print(('ok %d - %s' if cond else 'not ok %d - %s') % (len(results), what), flush=True)
    return cond


def walk(acc, depth=0):
    if acc is None or depth > 60:
        return
    yield acc
    for i in range(acc.get_child_count()):
        yield from walk(acc.get_child_at_index(i), depth + 1)


def find(root, role, name, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        for acc in walk(root):
            try:
                # GTK 4.8 names a button with a mnemonic "Label Label": match the start.
                if acc.get_role_name() == role and (name is None or acc.get_name() == name
                                                    or (role == 'push button'
                                                        and acc.get_name().startswith(name + ' '))):
                    return acc
            except Exception:
                pass
        time.sleep(0.2)
    return None


def find_all(root, role):
    out = []
    for acc in walk(root):
        try:
            if acc.get_role_name() == role:
                out.append(acc)
        except Exception:
            pass
    return out


def click(acc):
    # A GTK 4 button offers one action, "click".
    return Atspi.Action.get_n_actions(acc) > 0 and Atspi.Action.do_action(acc, 0)


def type_into(acc, text):
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


def main():
    data = os.environ['JC_TEST_DATA']
    profile = tempfile.mkdtemp(prefix='jc-atspi-')
    shutil.copytree(os.path.join(data, 'profile'), profile, dirs_exist_ok=True)
    app_proc = subprocess.Popen([os.environ['JC_APP_BINARY'], '--node', profile])
    try:
        app = None
        end = time.time() + 45
        while app is None and time.time() < end:
            desktop = Atspi.get_desktop(0)
            for i in range(desktop.get_child_count()):
                a = desktop.get_child_at_index(i)
                if a is not None and a.get_name() == 'joconde':
                    app = a
            time.sleep(0.2)
        if not ok(app is not None, 'the app appears on the accessibility bus'):
            return

        tasks = find(app, 'list', 'Tasks')
        ok(tasks is not None, 'the task list has the accessible name "Tasks"')
        rows = find_all(tasks, 'list item') if tasks else []
        ok(len(rows) == 4, 'the list shows the 4 tasks of the profile (got %d)' % len(rows))
        ok(any('needs your action' in (r.get_name() or '') for r in rows),
           'a row tells a screen reader that the task needs the user\'s action')

        toggle = find(app, 'push button', 'Needs My Action')
        ok(toggle is not None and click(toggle), 'the "Needs My Action" filter is pressed')
        time.sleep(0.5)
        rows = find_all(tasks, 'list item')
        ok(len(rows) == 2, 'only the 2 tasks needing action remain (got %d)' % len(rows))
        click(find(app, 'push button', 'All'))

        new_task = find(app, 'push button', 'New Task')
        ok(new_task is not None and click(new_task), 'the New Task button is pressed')
        window = find(app, 'frame', 'New Task')
        if not ok(window is not None, 'the New Task window opens'):
            return
        fields = {'Title': 'Tourism nights by region',
                  'Computing parties': 'cp1, cp2, cp3',
                  'Peers (organisations)': 'nsi, bank'}
        for label, value in fields.items():
            entry = None
            for role in ('text', 'entry'):
                entry = entry or find(window, role, label, timeout=2)
            ok(entry is not None and type_into(entry, value), 'the organiser types the %s' % label)
        time.sleep(0.5)
        save = find(window, 'push button', 'Save Draft')
        ok(save is not None and click(save), 'the organiser presses Save Draft')
        # Read it again from the tree: the label's name and text change once it is filled.
        text = ''
        end = time.time() + 10
        while 'outputs:' not in text and time.time() < end:
            time.sleep(0.3)
            for acc in walk(window):
                if acc.get_role_name() == 'label' and 'outputs:' in (text_of(acc) or ''):
                    text = text_of(acc)
        print('# problems shown:', text.replace('\n', ' | '))
        ok('outputs: add at least one output' in text,
           'the draft lists what is missing: an output')
        ok(text and 'title: give the task a title' not in text,
           'the title typed through the accessibility bus reached the draft')
        ok('peers: the peer “bank” has no input and no output' in text,
           'the peers typed are checked against the inputs and outputs')
        drafts = os.path.join(profile, 'drafts')
        ok(not os.path.exists(drafts) or not os.listdir(drafts),
           'an incomplete draft is not saved')
    finally:
        app_proc.terminate()
        app_proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)
    first_run()
    print('1..%d' % len(results))


def first_run():
    """The binary on an empty profile folder: the first-run window, through the bus."""
    profile = tempfile.mkdtemp(prefix='jc-atspi-new-')
    app_proc = subprocess.Popen([os.environ['JC_APP_BINARY'], '--node', profile])
    try:
        window = None
        end = time.time() + 45
        while window is None and time.time() < end:
            desktop = Atspi.get_desktop(0)
            for i in range(desktop.get_child_count()):
                a = desktop.get_child_at_index(i)
                if a is not None and a.get_name() == 'joconde':
                    window = find(a, 'frame', 'Set Up This Node', timeout=1)
            time.sleep(0.2)
        if not ok(window is not None, 'an empty profile folder opens the first-run window'):
            return
        for label in ('Node name', 'Organisation', 'Email', 'Parent relay address (https://…)'):
            entry = None
            for role in ('text', 'entry'):
                entry = entry or find(window, role, label, timeout=2)
            ok(entry is not None, 'the first-run field "%s" has its accessible name' % label)
        ok(find(window, 'check box', 'Data analyst', timeout=2) is not None,
           'each role is a check box named for screen readers')
        ok(find(window, 'push button', 'Choose the system root certificate', timeout=2) is not None,
           'the root certificate chooser is named for screen readers')
        create = find(window, 'push button', 'Create Key and Request')
        ok(create is not None and click(create), 'Create Key and Request is pressed with nothing filled in')
        time.sleep(1.0)
        ok(not os.listdir(profile), 'nothing is created before every detail is given')
    finally:
        app_proc.terminate()
        app_proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == '__main__':
    main()
    sys.exit(0 if results and all(r for r, _ in results) else 1)
