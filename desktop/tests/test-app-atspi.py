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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jc_atspi  # noqa: E402
from jc_atspi import all_passed, click, find, find_all, find_app, ok, text_of, type_into, walk  # noqa: E402


def main():
    data = os.environ['JC_TEST_DATA']
    profile = tempfile.mkdtemp(prefix='jc-atspi-')
    shutil.copytree(os.path.join(data, 'profile'), profile, dirs_exist_ok=True)
    app_proc = subprocess.Popen([os.environ['JC_APP_BINARY'], '--node', profile])
    try:
        app = find_app()
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
        print('# problems shown:', text.replace('\n', ' | '), flush=True)
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
    print('1..%d' % len(jc_atspi.results))


def first_run():
    """The binary on an empty profile folder: the first-run window, through the bus."""
    profile = tempfile.mkdtemp(prefix='jc-atspi-new-')
    app_proc = subprocess.Popen([os.environ['JC_APP_BINARY'], '--node', profile])
    try:
        app = find_app()
        window = find(app, 'frame', 'Set Up This Node', timeout=10) if app else None
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
    sys.exit(0 if all_passed() else 1)
