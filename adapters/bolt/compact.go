package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// compactTxBytes bounds one transaction of a compaction, so a large file
// is copied without holding all of it in memory.
const compactTxBytes = 64 << 20

// Compact rewrites the data file at path into a fresh file that holds only
// the live data (bbolt.Compact: every bucket, key, value and sequence),
// fsyncs it and renames it over path, so nothing that a write replaced or
// a DELETE erased is left in the file: bbolt writes a changed page
// elsewhere and only marks the old one free, keeping its bytes until a
// later write reuses it. It returns the file's sizes before and after.
//
// It needs the file to itself: it holds the file's lock (taken after
// LockTimeout at most, or it fails naming the process to stop) from before
// the copy until the rename, so no api can write in between. The old
// file's blocks go back to the file system, which may keep their bytes on
// the disk until they are reused.
func Compact(path string) (before, after int64, err error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, 0, fmt.Errorf("no data file to compact: %w", err)
	}
	before = info.Size()
	// Read-write, for the exclusive lock: no api, and no other compaction.
	src, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: LockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return before, 0, fmt.Errorf("data file %s is in use: stop the api first (no lock within %s)", path, LockTimeout)
	}
	if err != nil {
		return before, 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer src.Close() // after the rename: the lock is held until then
	tmp := path + ".compacting"
	_ = os.Remove(tmp) // the leftover of a compaction that was cut short
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{Timeout: LockTimeout})
	if err != nil {
		return before, 0, fmt.Errorf("create %s: %w", tmp, err)
	}
	if err := bbolt.Compact(dst, src, compactTxBytes); err != nil {
		_ = dst.Close()
		_ = os.Remove(tmp)
		return before, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := dst.Close(); err != nil { // each commit was fsynced
		_ = os.Remove(tmp)
		return before, 0, fmt.Errorf("close %s: %w", tmp, err)
	}
	if info, err := os.Stat(tmp); err == nil {
		after = info.Size()
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return before, 0, fmt.Errorf("replace %s: %w", path, err)
	}
	return before, after, syncDir(filepath.Dir(path))
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
