package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrFileChanged is returned (wrapped) when the file at the store's path
// is no longer the one it opened (replaced, removed) or is no longer a
// whole SQLite file (truncated, overwritten): nothing more is written to
// it, and what was read before goes on being served.
var ErrFileChanged = errors.New("database file changed under the server")

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkFile fails when the file at s.path is not the file s opened, or
// its header says it is damaged. It costs a stat and a 100-byte read, so
// the watcher runs it on every check and every write before it begins:
// a file swapped in with mv while serving would otherwise take the old
// process's writes to a deleted inode and its write-ahead log.
func (s *Store) checkFile() error {
	if s.opened == nil {
		return nil
	}
	err := s.fileChanged()
	if err != nil && !s.readOnly {
		// Move what the write-ahead log holds into the file this store
		// opened and empty the log, whose name the new file shares: left
		// as it is, it would be applied to the new file by the next
		// process that opens it.
		s.truncateWAL.Do(func() { s.writer.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`) })
	}
	return err
}

func (s *Store) fileChanged() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("%s: %w: %v (restart indmap to serve what is there now)", s.path, ErrFileChanged, err)
	}
	if !os.SameFile(fi, s.opened) {
		return fmt.Errorf("%s: %w: another file was put in its place (restart indmap to serve it; to change a served file, use indmap import)", s.path, ErrFileChanged)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("%s: %w: %v", s.path, ErrFileChanged, err)
	}
	defer f.Close()
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:16]) != sqliteMagic {
		return fmt.Errorf("%s: %w: its header is not a SQLite database's (overwritten or truncated)", s.path, ErrFileChanged)
	}
	// The header's page size (1 means 65,536) and page count: a file
	// shorter than that lost pages. In WAL mode the count is the
	// checkpointed one, which the file always holds.
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	if want := pages * pageSize; fi.Size() < want {
		return fmt.Errorf("%s: %w: %d bytes where its header counts %d (truncated)", s.path, ErrFileChanged, fi.Size(), want)
	}
	return nil
}
