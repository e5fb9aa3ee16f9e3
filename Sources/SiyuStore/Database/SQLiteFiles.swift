import Foundation

/// Keeps the SQLite files (the database and its `-wal` and `-shm`) readable by their owner only:
/// they hold customers' personal data and the sealed tenant secrets, like the master key (0600).
enum SQLiteFiles {
    /// Creates the database file with mode 0600 if it is missing (SQLite gives the `-wal` and
    /// `-shm` files it creates later the main file's mode), and takes group and other access
    /// away from whichever of the three files exist. A file that cannot be created or changed is
    /// left for SQLite to report when it opens it.
    static func restrict(_ path: String) {
        guard path != ":memory:", !path.isEmpty else { return }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { continue }
            _ = chmod(file, info.st_mode & 0o700)
        }
    }
}
