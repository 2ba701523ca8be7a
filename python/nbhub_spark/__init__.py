"""nbhub's kernel extension for runtimes attached to a Spark cluster (issue 19).

Every Spark job a cell starts gets the job group ``nbhub-<msg_id>``, the header.msg_id of the execute_request
that ran the cell: the key the hub's execution record has, so the hub can charge the executor CPU that Spark
reports for those jobs to that execution.

Loaded by the python3 kernel spec nbhub writes for an attached runtime (``--IPKernelApp.extra_extensions``),
so neither the user's IPython profile nor its ``extensions`` list is touched. It never imports pyspark itself:
a cell that uses no Spark starts no JVM and pays for nothing but reading the request's id.
"""

import importlib.abc
import os
import sys

GROUP_PREFIX = "nbhub-"
# pyspark 4 defines SparkContext in pyspark.core.context; pyspark 3 in pyspark.context.
_CONTEXT_MODULES = ("pyspark.core.context", "pyspark.context")

_state = {"group": None, "shell": None}


def _request_id(shell):
    """header.msg_id of the request the kernel runs now, or None (not in a kernel)."""
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    try:
        parent = kernel.get_parent("shell")
    except TypeError:  # ipykernel < 6.21 takes no channel
        parent = kernel.get_parent()
    except Exception:
        return None
    return ((parent or {}).get("header") or {}).get("msg_id")


def _tag(sc, group):
    # A context being stopped, or a gateway gone, must never break the user's cell.
    try:
        sc.setJobGroup(group, "nbhub cell " + group[len(GROUP_PREFIX):])
    except Exception:
        pass


def _active_context():
    for name in _CONTEXT_MODULES:
        cls = getattr(sys.modules.get(name), "SparkContext", None)
        if cls is not None:
            return getattr(cls, "_active_spark_context", None)
    return None


def _pre_execute():
    # pre_execute, not pre_run_cell: it fires for silent requests too, so their jobs (which the hub does not
    # record) are never charged to the cell before them.
    msg_id = _request_id(_state["shell"])
    _state["group"] = GROUP_PREFIX + msg_id if msg_id else None
    sc = _active_context()
    if sc is not None and _state["group"]:
        _tag(sc, _state["group"])


def _patch(module):
    """A SparkContext created during a cell (SparkSession.builder.getOrCreate()) gets that cell's group."""
    cls = getattr(module, "SparkContext", None)
    if cls is None or getattr(cls.__init__, "_nbhub", False):
        return
    original = cls.__init__

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if _state["group"]:
            _tag(self, _state["group"])

    __init__._nbhub = True
    cls.__init__ = __init__


class _ContextFinder(importlib.abc.MetaPathFinder):
    """Patches SparkContext when its module is first imported (by the user's code, never by us)."""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _CONTEXT_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                loader = spec.loader
                run = loader.exec_module

                def exec_module(module, _run=run):
                    _run(module)
                    _patch(module)

                spec.loader = _Loader(loader, exec_module)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    def __init__(self, inner, exec_module):
        self._inner = inner
        self.exec_module = exec_module

    def create_module(self, spec):
        return self._inner.create_module(spec)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def load_ipython_extension(shell):
    if _state["shell"] is not None:
        return
    _state["shell"] = shell
    # Executors run the kernel's own interpreter: PySpark refuses a driver and workers of different Pythons.
    if os.environ.get("NBHUB_SPARK_CLUSTER"):
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    for name in _CONTEXT_MODULES:
        if name in sys.modules:
            _patch(sys.modules[name])
    sys.meta_path.insert(0, _ContextFinder())
    shell.events.register("pre_execute", _pre_execute)


def unload_ipython_extension(shell):
    shell.events.unregister("pre_execute", _pre_execute)
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _ContextFinder)]
    _state["shell"] = None
