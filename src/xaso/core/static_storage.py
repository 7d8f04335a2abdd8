"""Static files storage for production: whitenoise's compressed manifest storage, made cheap
to re-run.

``collectstatic`` runs at every ``xaso serve`` start and in CI, and whitenoise compresses
every file again each time (brotli at its best quality takes tens of seconds on the API
docs' bundles). Here a file keeps the ``.gz``/``.br`` files of an earlier run when they are
still right: the file's name carries a hash of its content, or the compressed file is not
older than it (collectstatic copies only the files that changed).
"""
import os

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CompressedManifestStorage(CompressedManifestStaticFilesStorage):
    def compress_files(self, paths):
        hashed = set(self.hashed_files.values())
        stale = [path for path in paths if not self._compressed_is_current(path, path in hashed)]
        yield from super().compress_files(stale)

    def _compressed_is_current(self, path, is_hashed):
        try:
            source_mtime = os.stat(self.path(path)).st_mtime
        except OSError:
            return False
        for suffix in (".br", ".gz"):
            try:
                compressed_mtime = os.stat(self.path(path + suffix)).st_mtime
            except OSError:
                continue
            if is_hashed or compressed_mtime >= source_mtime:
                return True
        return False
