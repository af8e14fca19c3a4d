// Package atomicfile writes files so that readers see the old content or
// the new, never a half-written file: the data goes to a temporary file in
// the target's folder, which is synced and then renamed over the target.
//
// What the target is decides how it is written. A symbolic link is
// followed and the file it points to is replaced, so the link survives;
// an existing file keeps its permissions; a character device or a FIFO
// (-o /dev/null, a pipe) is written straight through, since renaming over
// it would destroy the node; a folder, block device or socket is refused.
// Every resc command that writes a file writes it here.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write replaces path with data. On any error the target is untouched and
// the temporary file is removed.
func Write(path string, data []byte, perm os.FileMode) error {
	return WriteFunc(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what write produces, streaming into the
// temporary file; on any error (write's included) the target is untouched.
// perm is the mode of a new file; an existing one keeps its own, and its
// owner where the process may set it.
func WriteFunc(path string, perm os.FileMode, write func(w io.Writer) error) error {
	info, err := os.Stat(path)
	if err == nil {
		switch {
		case info.Mode().IsRegular():
			perm = info.Mode().Perm()
		case info.IsDir():
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("it is a folder")}
		case info.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) != 0:
			return writeThrough(path, write)
		default:
			return &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("it is not a regular file (%s)", Kind(info.Mode()))}
		}
	}
	target, err := resolveLinks(path)
	if err != nil {
		return err
	}
	return replace(target, perm, info, write)
}

// replace writes target through a temporary file renamed over it; old is
// the target's FileInfo, nil if there is none.
func replace(target string, perm os.FileMode, old fs.FileInfo, write func(w io.Writer) error) (err error) {
	tmp, err := createTemp(target)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			removeTemp(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(&writeback{f: tmp}, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if old != nil {
		keepOwner(tmp, old)
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return renameTemp(tmp.Name(), target)
}

// writeThrough writes into an existing character device or FIFO as it is.
func writeThrough(path string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// maxLinks bounds the symbolic links followed, as the kernel's ELOOP does.
const maxLinks = 40

// resolveLinks follows the symbolic links at path to the file they name,
// which need not exist yet (a dangling link's target is created, as cp
// does).
func resolveLinks(path string) (string, error) {
	for range maxLinks {
		info, err := os.Lstat(path)
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", &fs.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// Kind names a file mode's type for error messages: "a FIFO", "a folder".
func Kind(m os.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// writeback passes writes to f and starts the disk writeback of every
// chunk as it fills, overlapping the disk with the work that produces the
// data.
type writeback struct {
	f       *os.File
	off     int64 // bytes written
	started int64 // bytes whose writeback has been started
}

const writebackChunk = 16 << 20

func (w *writeback) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.started >= writebackChunk {
		startWriteback(w.f, w.started, w.off-w.started)
		w.started = w.off
	}
	return n, err
}
