#!/usr/bin/python3
"""The whole sequence of the desktop app on one sandbox federation (`jocondectl sandbox up`):
the organiser starts the real `joconde` binary on the statistics office's node and fills
every field of the example task (examples/subscription-rates) in the New Task window through
the accessibility bus (AT-SPI), as a screen reader or keyboard user would, and submits it;
the task the root made is checked through `jocondectl status --json` against what was
typed. Then test-app-sandbox runs on that task, in-process (AT-SPI cannot drop a file): the
agreement, a wrong and a right CSV dropped on the custodian's upload window, progress and
verdict, the analyst's download and table. Its TAP lines are passed on, numbered here.

The sandbox is stopped on every way out, SIGTERM from meson's timeout included; with
--guard-only DIR the script only brings a sandbox up in DIR, says "up" and waits for a
signal (test-sandbox-guard checks that the handler leaves no daemon running).
Run under display-run.sh (see meson.build). Prints TAP."""

import atexit
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

JOCONDECTL = os.environ['JOCONDECTL']
EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples',
                       'subscription-rates', 'task.json')
TYPES = ['INT', 'DECIMAL', 'BOOL', 'DATE', 'CATEGORY', 'ID']  # the editor's order

_guarded = []


def _down(directory):
    # Its own session: meson's SIGKILL to the test's process group, half a second after
    # its SIGTERM, must not cut the clean-up short. Output to stderr, away from the TAP.
    subprocess.run([JOCONDECTL, 'sandbox', 'down', '--dir', directory], stdout=sys.stderr,
                   stderr=sys.stderr, start_new_session=True)


def _on_signal(sig, frame):
    while _guarded:
        _down(_guarded.pop())
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)


def guard(directory):
    """Stops the sandbox in DIRECTORY at exit and on SIGTERM, SIGINT or SIGHUP."""
    _guarded.append(directory)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)


def sandbox_down(directory):
    if directory in _guarded:
        _guarded.remove(directory)
        _down(directory)


@atexit.register
def _at_exit():
    while _guarded:
        _down(_guarded.pop())


def sandbox_up(directory):
    guard(directory)
    r = subprocess.run([JOCONDECTL, 'sandbox', 'up', '--dir', directory],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
    return r.returncode == 0


def guard_only(directory):
    if not sandbox_up(directory):
        sys.exit(1)
    print('up', flush=True)
    while True:
        signal.pause()


def in_seconds(s):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=s)
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')


def expected_task():
    """The example task as the organiser types it: deadlines from now, the sandbox guest's
    measurement (SHA-384 of the guest binary), no attachment (the file chooser is a
    separate dialog, outside this test)."""
    with open(EXAMPLE, encoding='utf-8') as f:
        task = json.load(f)
    task['deadlines'] = {'approval': in_seconds(600), 'input': in_seconds(900),
                         'execution': in_seconds(960), 'output': in_seconds(1500)}
    with open(os.environ['JC_GUEST_BINARY'], 'rb') as f:
        task['tee']['measurements'] = [hashlib.sha384(f.read()).hexdigest()]
    task['attachments'] = []
    return task


def fill_schema_editor(editor, table, output):
    """One input table or output in its schema editor: name, peers, columns."""
    from gi.repository import Atspi
    from jc_atspi import click, find, find_all, find_entry, ok, select, type_into
    what = ('output ' if output else 'input ') + table['key']
    good = type_into(find_entry(editor, 'Name in the algorithm'), table['key'])
    if output:
        good &= type_into(find_entry(editor, 'Peers whose analysts receive it (commas)'),
                          ', '.join(table['peers']))
    else:
        good &= type_into(find_entry(editor, 'Peer whose custodians upload it'), table['peer'])
        if table.get('quality'):
            good &= type_into(find_entry(editor, 'Data-quality query (optional)'), table['quality'])
    add = find(editor, 'push button', 'Add a column to this ' + ('output' if output else 'input table'))
    for k, col in enumerate(table['schema']):
        good &= bool(click(add))
        columns = find(editor, 'list', 'Columns', timeout=2)
        deadline = time.time() + 5
        while len(find_all(columns, 'list item')) < k + 1 and time.time() < deadline:
            time.sleep(0.1)
        rows = find_all(columns, 'list item')
        if len(rows) < k + 1:
            return ok(False, 'the organiser adds column %s to the %s' % (col['name'], what))
        row = rows[k]
        m = re.match(r'DECIMAL\((\d+),(\d+)\)', col['type'])
        good &= type_into(find_entry(row, 'Column name'), col['name'])
        good &= bool(select(find(row, 'combo box', 'Column type', timeout=2),
                            TYPES.index('DECIMAL' if m else col['type'])))
        if m:
            for label, value in (('Digits in all', m.group(1)), ('Digits after the point', m.group(2))):
                spin = find(row, 'spin button', label, timeout=3)
                good &= spin is not None and Atspi.Value.set_current_value(spin, float(value))
        if col['type'] == 'CATEGORY':
            good &= type_into(find_entry(row, 'Codes, separated by commas', timeout=3), ', '.join(col['codes']))
    return ok(good, 'the organiser describes the %s (%d columns) in its schema editor'
              % (what, len(table['schema'])))


def names(parties):
    return [p['name'] if isinstance(p, dict) else p for p in parties]


def check_ctsc(ok, ctsc, task):
    """The task the root made holds exactly what was typed."""
    ok(ctsc['title'] == task['title'], 'the CTSC has the title typed')
    ok(ctsc['description'] == task['description'], 'the CTSC has the description typed')
    ok(ctsc['engine'] == task['engine'] and ctsc['tee']['platform'] == 'sim'
       and ctsc['tee'].get('measurements') == task['tee']['measurements'],
       'the CTSC has the engine, platform and measurement chosen')
    ok(all(ctsc['deadlines'][k] == task['deadlines'][k] for k in task['deadlines']),
       'the CTSC has the four deadlines typed')
    ok(names(ctsc['computing_parties']) == task['computing_parties']
       and names(ctsc['peers']) == task['peers'],
       'the CTSC has the computing parties and peers, resolved from the directory')
    ok(all('fingerprint' in p for p in ctsc['peers'] if isinstance(p, dict)),
       'each peer is pinned by its fingerprint')

    def schema(s):
        return [{k: c[k] for k in ('name', 'type', 'codes') if k in c} for c in s]

    got_inputs = [(i['key'], names([i['peer']])[0], schema(i['schema']), i.get('quality'))
                  for i in ctsc['inputs']]
    want_inputs = [(i['key'], i['peer'], schema(i['schema']), i.get('quality')) for i in task['inputs']]
    if not ok(got_inputs == want_inputs, 'the CTSC has both input tables with their schemas and quality query'):
        print('# got:  %s\n# want: %s' % (json.dumps(got_inputs), json.dumps(want_inputs)), flush=True)
    got_outputs = [(o['key'], names(o['peers']), schema(o['schema'])) for o in ctsc['outputs']]
    want_outputs = [(o['key'], o['peers'], schema(o['schema'])) for o in task['outputs']]
    if not ok(got_outputs == want_outputs, 'the CTSC has both outputs with their peers and schemas'):
        print('# got:  %s\n# want: %s' % (json.dumps(got_outputs), json.dumps(want_outputs)), flush=True)
    ok(ctsc['algorithm'] == task['algorithm'], 'the CTSC has the SQL algorithm typed in the source view')


def organiser_drafts(sandbox, task):
    """The New Task window of the real binary, through the accessibility bus. The task id."""
    from jc_atspi import (click, comment, find, find_all, find_app, find_entry, label_texts, ok,
                          text_of, type_into, wait_label)
    app_proc = subprocess.Popen([os.environ['JC_APP_BINARY'], '--node',
                                 os.path.join(sandbox, 'nodes', 'nsi')])
    task_id = None
    try:
        app = find_app()
        if not ok(app is not None, 'the organiser\'s app appears on the accessibility bus'):
            return None
        if not ok(click(find(app, 'push button', 'New Task')), 'the New Task button is pressed'):
            return None
        window = find(app, 'frame', 'New Task')
        if not ok(window is not None, 'the New Task window opens'):
            return None
        engine = find(window, 'combo box', 'Engine')
        ok(engine is not None and any(text_of(a) == task['engine'] for a in find_all(engine, 'label')),
           'the engine row offers %s, the installed engine' % task['engine'])
        platform = find(window, 'combo box', 'Trusted execution environment')
        ok(platform is not None and any(text_of(a) == 'sim' for a in find_all(platform, 'label')),
           'the platform row shows sim')
        # The participants are typed from the names the window shows from the node's directory.
        shown = wait_label(window, lambda t: t.startswith('In this node’s directory: '), timeout=5) or ''
        directory = [n.strip() for n in shown.split(': ', 1)[-1].split(',')]
        comment(shown)
        cps = [n for n in directory if n in task['computing_parties']]
        peers = [n for n in directory if n in task['peers']]
        ok(sorted(cps) == sorted(task['computing_parties']) and sorted(peers) == sorted(task['peers']),
           'the window lists the computing parties and peers known to the node\'s directory')
        fields = [('Title', task['title']), ('Description', task['description']),
                  ('Accepted measurements (96 hex digits, commas)', ', '.join(task['tee']['measurements'])),
                  ('Approval by', task['deadlines']['approval']),
                  ('Data uploaded by', task['deadlines']['input']),
                  ('Computation done by', task['deadlines']['execution']),
                  ('Results available until', task['deadlines']['output']),
                  ('Computing parties', ', '.join(sorted(cps, key=task['computing_parties'].index))),
                  ('Peers (organisations)', ', '.join(sorted(peers, key=task['peers'].index)))]
        good = True
        for label, value in fields:
            good &= bool(type_into(find_entry(window, label), value))
        ok(good, 'the organiser types the title, description, measurement, deadlines, '
           'computing parties and peers')

        for kind, tables, output in (('Input table', task['inputs'], False),
                                     ('Output', task['outputs'], True)):
            for k, table in enumerate(tables):
                click(find(window, 'push button', 'Add Output' if output else 'Add Input'))
                deadline = time.time() + 5
                while len(find_all(window, 'panel', kind)) < k + 1 and time.time() < deadline:
                    time.sleep(0.1)
                editors = find_all(window, 'panel', kind)
                if not ok(len(editors) == k + 1, 'a schema editor for %s %s opens' % (kind.lower(), table['key'])):
                    return None
                fill_schema_editor(editors[k], table, output)

        ok(type_into(find(window, 'text', 'Algorithm'), task['algorithm']),
           'the organiser writes the algorithm in the SQL source view')
        if not ok(wait_label(window, lambda t: t == 'The engine accepts the algorithm', timeout=15),
                  'the engine\'s compiler accepts the algorithm live'):
            comment('\n'.join(label_texts(window, 40)))

        ok(click(find(window, 'push button', 'Submit')), 'the organiser presses Submit')
        shown = wait_label(window, lambda t: t.startswith('Submitted:'), timeout=90)
        m = re.search(r'task ([0-9a-f-]{36})', shown or '')
        if ok(m is not None, 'the window says the root made the task'):
            comment(shown)
            task_id = m.group(1)
        else:
            comment('\n'.join(label_texts(window, 40)))
    finally:
        app_proc.terminate()
        app_proc.wait(timeout=20)
    return task_id


def run_in_process(sandbox, task_id):
    """test-app-sandbox on this sandbox and task; its TAP results become ours."""
    from jc_atspi import comment, ok
    env = dict(os.environ, JC_SANDBOX_DIR=sandbox, JC_TASK_ID=task_id)
    for attempt in (1, 2):
        proc = subprocess.Popen([os.environ['JC_APP_SANDBOX_TEST'], '--tap'], env=env,
                                stdout=subprocess.PIPE, text=True)
        seen = 0
        for line in proc.stdout:
            line = line.rstrip('\n')
            m = re.match(r'(not ok|ok) \d+( - )?(.*)', line)
            if m:
                seen += 1
                ok(m.group(1) == 'ok', 'in-process: ' + (m.group(3) or line))
            elif line.startswith('#') and '-DEBUG: ' not in line:
                print(line, flush=True)
        status = proc.wait()
        if seen > 0 or attempt == 2:
            break
        # Stopped before its first test: seen on this machine as "Unable to register the
        # application: The connection is closed" when the session bus drops a new client
        # during authentication. Nothing of the task was touched: once more.
        comment('test-app-sandbox stopped before its first test (status %d): once more' % status)
    ok(status == 0 and seen == 5, 'test-app-sandbox passes its 5 tests on the drafted task '
       '(status %d, %d results)' % (status, seen))


def main():
    import jc_atspi
    from jc_atspi import ok
    start = time.time()
    top = tempfile.mkdtemp(prefix='jc-atspi-sandbox-')
    sandbox = os.path.join(top, 'sandbox')
    try:
        if not ok(sandbox_up(sandbox), 'a sandbox federation is up'):
            return
        print('# sandbox up in %.1f s' % (time.time() - start), flush=True)
        task = expected_task()
        task_id = organiser_drafts(sandbox, task)
        print('# drafted through the accessibility bus in %.1f s' % (time.time() - start), flush=True)
        if task_id is None:
            return
        r = subprocess.run([JOCONDECTL, 'status', '--node', os.path.join(sandbox, 'nodes', 'nsi'),
                            '--task', task_id, '--json'], capture_output=True, text=True)
        if not ok(r.returncode == 0, 'jocondectl status shows the task at the organiser\'s node'):
            sys.stderr.write(r.stderr)
            return
        status = json.loads(r.stdout)
        ok(status['task_id'] == task_id and status['state'] == 'emerging',
           'the task is emerging, waiting for the addenda (state %s)' % status['state'])
        if not ok(status.get('ctsc') is not None, 'the organiser\'s node holds the root\'s CTSC'):
            return
        check_ctsc(ok, status['ctsc'], task)
        run_in_process(sandbox, task_id)
        print('# whole sequence in %.1f s' % (time.time() - start), flush=True)
    finally:
        sandbox_down(sandbox)
        print('1..%d' % len(jc_atspi.results), flush=True)
        if jc_atspi.all_passed() and not os.environ.get('JC_KEEP_SANDBOX'):
            shutil.rmtree(top, ignore_errors=True)
        else:
            print('# sandbox kept in %s' % sandbox, flush=True)


if __name__ == '__main__':
    if sys.argv[1:2] == ['--guard-only']:
        guard_only(sys.argv[2])
    main()
    import jc_atspi
    sys.exit(0 if jc_atspi.all_passed() else 1)
