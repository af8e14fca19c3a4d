// Package userfile reads the files a user names — sources, imports,
// weights, images — with the checks that make hostile or mistaken paths
// harmless: only regular files are read (a FIFO would block forever and
// /dev/zero never ends), and only up to a size limit, so that no input can
// exhaust memory before its own reader gets a say.
package userfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/resc-dev/resc/internal/atomicfile"
)

// Read returns the contents of the regular file at path, refusing other
// kinds of file and files of more than limit bytes; what names the kind
// of file in that error ("source files"). Errors are *fs.PathError whose
// Err reads after "cannot read PATH: ".
func Read(path string, limit int64, what string) ([]byte, error) {
	f, _, err := Open(path, limit, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit { // it grew while being read
		return nil, tooLarge(path, int64(len(data)), limit, what)
	}
	return data, nil
}

// Open opens path for a reader that streams it, with Read's checks, and
// returns its size. Reading more than limit bytes is the caller's to
// prevent (io.LimitReader).
func Open(path string, limit int64, what string) (*os.File, int64, error) {
	// Stat first: opening a FIFO for reading blocks until a writer comes.
	info, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := check(path, info, limit, what); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	// Again on the open file, which may not be the one stat saw.
	if info, err = f.Stat(); err == nil {
		err = check(path, info, limit, what)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, info.Size(), nil
}

func check(path string, info fs.FileInfo, limit int64, what string) error {
	if !info.Mode().IsRegular() {
		return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("it is %s, not a regular file", atomicfile.Kind(info.Mode()))}
	}
	if info.Size() > limit {
		return tooLarge(path, info.Size(), limit, what)
	}
	return nil
}

func tooLarge(path string, size, limit int64, what string) error {
	how := "more than"
	if size > limit+1 {
		how = Bytes(size) + ", over"
	}
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("it is %s the %s limit for %s", how, Bytes(limit), what)}
}

// Bytes writes a byte count for people: 512 bytes, 64 MB, 1.5 GB (powers
// of 1024, as the limits are).
func Bytes(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%d bytes", n)
	case n < k*k:
		return trim(float64(n)/k) + " KB"
	case n < k*k*k:
		return trim(float64(n)/(k*k)) + " MB"
	}
	return trim(float64(n)/(k*k*k)) + " GB"
}

func trim(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}
