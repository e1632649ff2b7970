"""Runs the interpreter's own Lib/test/test_venv.py with Venv Manager's EnvBuilder behind venv.

Usage: python test_venv_judge.py NODE JUDGE_JS CACHE_DIR

`venv.EnvBuilder.create` is replaced by a call to our builder (JUDGE_JS, run by NODE); everything
else in venv stays CPython's. Each test is then classified:

  ours            it built its environments only through create (ours) and passed or failed on that
  not applicable  it also called CPython's builder internals (ensure_directories, replace_variables,
                  _same_path, ...), ran `python -m venv` in a child process, used a builder subclass
                  or an unknown SCM, or created no environment at all: its outcome says nothing
                  about our builder, so it never counts as passed
  skipped         test_venv skipped it on this platform or interpreter

Prints one line per test: `@@RESULT@@{"test": ..., "outcome": ..., "judged": ..., "reason": ...}`.
"""
import functools
import json
import os
import subprocess
import sys
import unittest
import unittest.mock
import venv

NODE, JUDGE_JS, CACHE_DIR = sys.argv[1:4]

# Builder methods a test may call directly; doing so tests CPython's code, not ours.
INTERNALS = [
    'ensure_directories', 'create_configuration', 'setup_python', 'setup_scripts', 'post_setup',
    'install_scripts', 'replace_variables', 'upgrade_dependencies', 'clear_directory',
    'symlink_or_copy', 'create_git_ignore_file', '_setup_pip', '_call_new_python', '_same_path',
    '_venv_path',
]
# Instance attributes test_venv replaces with a Mock to skip a step; our builder skips it too.
MOCKABLE = {'_setup_pip': 'setupPip', 'upgrade_dependencies': 'upgradeDependencies'}


class Record:
    def __init__(self):
        self.ours = 0
        self.internals = set()
        self.not_applicable = None


current = Record()
OriginalBuilder = venv.EnvBuilder


def flag_internal(name, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        current.internals.add(name)
        return func(*args, **kwargs)
    return wrapper


for _name in INTERNALS:
    _attr = OriginalBuilder.__dict__.get(_name)
    if _attr is None:
        continue
    if isinstance(_attr, classmethod):
        setattr(OriginalBuilder, _name, classmethod(flag_internal(_name, _attr.__func__)))
    elif isinstance(_attr, staticmethod):
        setattr(OriginalBuilder, _name, staticmethod(flag_internal(_name, _attr.__func__)))
    else:
        setattr(OriginalBuilder, _name, flag_internal(_name, _attr))

_original_init = OriginalBuilder.__init__


def judged_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    # prompt='.' is the current folder at construction time (bpo-38901).
    self._judge_cwd = os.getcwd()


def not_applicable(reason):
    current.not_applicable = reason
    raise unittest.SkipTest('not applicable: ' + reason)


def judged_create(self, env_dir):
    if type(self) is not OriginalBuilder:
        overridden = sorted(n for n in vars(type(self)) if not n.startswith('__'))
        not_applicable('a builder subclass (%s)' % ', '.join(overridden))
    mocked = {}
    for name, value in vars(self).items():
        if callable(value) or isinstance(value, unittest.mock.NonCallableMock):
            if name in MOCKABLE and isinstance(value, unittest.mock.NonCallableMock):
                mocked[MOCKABLE[name]] = True
            else:
                not_applicable('builder attribute %s replaced' % name)
    prompt = getattr(self, 'orig_prompt', self.prompt)
    if prompt is not None and not isinstance(prompt, str):
        # 3.11/3.12's test_config_file_command_key passes prompt=True; venv writes repr(True).
        not_applicable('a prompt that is not a string (%r); ours takes strings' % (prompt,))
    scms = sorted(getattr(self, 'scm_ignore_files', ()))
    if any(scm != 'git' for scm in scms):
        not_applicable('ignore files for %s (only git is built in)' % ', '.join(scms))
    current.ours += 1
    request = {
        'envDir': os.path.abspath(os.fspath(env_dir)),
        'python': sys.executable,
        'cwd': getattr(self, '_judge_cwd', os.getcwd()),
        'cacheDir': CACHE_DIR,
        'options': {
            'systemSitePackages': bool(self.system_site_packages),
            'clear': bool(self.clear),
            'symlinks': bool(self.symlinks),
            'upgrade': bool(self.upgrade),
            'withPip': bool(self.with_pip),
            'prompt': prompt,
            'upgradeDeps': bool(getattr(self, 'upgrade_deps', False)),
            'scmIgnoreFiles': scms,
        },
        'mocked': {'setupPip': mocked.get('setupPip', False), 'upgradeDependencies': mocked.get('upgradeDependencies', False)},
    }
    # The real Popen: tests may patch subprocess functions of venv's module, not ours.
    proc = _original_popen([NODE, JUDGE_JS, json.dumps(request)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    if proc.returncode == 0:
        return
    text = err.decode('utf-8', 'replace')
    marker = text.rfind('@@VENV_ERROR@@')
    if marker < 0:
        raise RuntimeError('our builder failed without a message: ' + text.strip())
    message = json.loads(text[marker + len('@@VENV_ERROR@@'):].splitlines()[0])['message']
    # Our messages are venv's: `[Errno N] ...` is an OSError there, the rest ValueError.
    if message.startswith('[Errno'):
        raise OSError(message)
    raise ValueError(message)


_original_popen = subprocess.Popen


class WatchedPopen(subprocess.Popen):
    def __init__(self, args, *rest, **kwargs):
        argv = [os.fspath(a) for a in args] if isinstance(args, (list, tuple)) else [str(args)]
        if any(a == '-m' and argv[i + 1:i + 2] == ['venv'] for i, a in enumerate(argv)):
            current.internals.add('python -m venv in a child process')
        super().__init__(args, *rest, **kwargs)


OriginalBuilder.__init__ = judged_init
OriginalBuilder.create = judged_create
subprocess.Popen = WatchedPopen


class JudgeResult(unittest.TextTestResult):
    def startTest(self, test):
        global current
        current = Record()
        self._outcome_of = None
        super().startTest(test)

    def _emit(self, test, outcome, reason=''):
        if outcome == 'skipped' and current.not_applicable is not None:
            judged, reason = 'not applicable', current.not_applicable
        elif outcome == 'skipped':
            judged = 'skipped'
        elif current.internals:
            judged = 'not applicable'
            reason = 'uses CPython builder internals: ' + ', '.join(sorted(current.internals))
        elif current.ours == 0:
            judged, reason = 'not applicable', 'creates no environment'
        else:
            judged = 'ours'
        line = {'test': test.id(), 'outcome': outcome, 'judged': judged, 'reason': reason}
        sys.__stdout__.write('@@RESULT@@' + json.dumps(line) + '\n')
        sys.__stdout__.flush()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._emit(test, 'passed')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._emit(test, 'failed', self._exc_info_to_string(err, test)[-2000:])

    def addError(self, test, err):
        super().addError(test, err)
        self._emit(test, 'failed', self._exc_info_to_string(err, test)[-2000:])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._emit(test, 'skipped', reason)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._emit(subtest, 'failed', self._exc_info_to_string(err, test)[-2000:])


def main():
    from test import test_venv
    suite = unittest.defaultTestLoader.loadTestsFromModule(test_venv)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=1, resultclass=JudgeResult)
    runner.run(suite)


if __name__ == '__main__':
    main()
