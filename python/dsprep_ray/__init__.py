"""dsprep-ray: runs `dsprep tokenize` and `dsprep vocab train` across a Ray cluster (plan, one
task per shard, merge).

A thin launcher: the dsprep binary does all reading, tokenizing, counting, training and Arrow
writing. The API is `dsprep_ray.launcher.tokenize(Options(...))` and
`dsprep_ray.launcher.vocab(Options(...))`; importing this package does not import Ray (the
command line first decides whether Ray must stay on the loopback address, which Ray reads when
it is imported).
"""

__version__ = "0.1.0"


def __getattr__(name):
    if name in ("DsprepError", "Options", "ShardCrashed", "tokenize", "vocab"):
        from . import launcher

        return getattr(launcher, name)
    raise AttributeError(name)
