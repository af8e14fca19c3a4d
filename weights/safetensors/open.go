package safetensors

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/resc-dev/resc/internal/userfile"
)

// A Reader reads a safetensors file tensor by tensor: Open reads and
// checks only the header, and each tensor's data is read from the file
// when asked for, so that a model's weights need never be in memory all
// at once. Its methods are safe for concurrent use.
type Reader struct {
	// Metadata is the optional "__metadata__" map; nil when absent.
	Metadata map[string]string
	// Entries are the file's tensors, sorted by name.
	Entries []Entry

	f    *os.File
	path string
	base int64 // the offset of the data in the file
}

// Open opens the file at path, a regular file of at most MaxFileBytes, and
// checks its header exactly as Read does: a file Open accepts is one Read
// accepts. The caller must Close the Reader.
func Open(path string) (*Reader, error) {
	f, size, err := userfile.Open(path, MaxFileBytes, "weights files")
	if err != nil {
		return nil, err
	}
	r, err := readHeader(f, size)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.f, r.path = f, path
	return r, nil
}

// readHeader reads the header of a file of size bytes and checks its
// layout.
func readHeader(f io.ReaderAt, size int64) (*Reader, error) {
	var prefix [8]byte
	if size >= 8 {
		if _, err := f.ReadAt(prefix[:], 0); err != nil {
			return nil, readErr(err)
		}
	}
	n, err := headerLength(prefix[:], uint64(size))
	if err != nil {
		return nil, err
	}
	hdr := make([]byte, n)
	if _, err := f.ReadAt(hdr, 8); err != nil {
		return nil, readErr(err)
	}
	meta, entries, err := layout(hdr, uint64(size)-8-n)
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return &Reader{Metadata: meta, Entries: entries, base: 8 + int64(n)}, nil
}

// readErr is a failed read's error; ReadAt's io.EOF means the file ended
// early.
func readErr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Path is the path the Reader was opened with.
func (r *Reader) Path() string { return r.path }

// Entry returns the entry called name, or nil.
func (r *Reader) Entry(name string) *Entry {
	i := sort.Search(len(r.Entries), func(i int) bool { return r.Entries[i].Name >= name })
	if i < len(r.Entries) && r.Entries[i].Name == name {
		return &r.Entries[i]
	}
	return nil
}

// Tensor reads one tensor's data from the file, as Read would give it:
// floats in Data, other dtypes in Raw. e must be one of r.Entries.
func (r *Reader) Tensor(e *Entry) (Tensor, error) {
	if e.IsWeight() {
		v, err := r.Float32s(e)
		return Tensor{Name: e.Name, DType: e.DType, Shape: e.Shape, Data: v}, err
	}
	raw := make([]byte, e.end-e.begin)
	if err := r.readAt(e, raw, 0); err != nil {
		return Tensor{}, err
	}
	return e.tensor(raw), nil
}

// chunkBytes is how much of a tensor Float32s reads at a time: the only
// memory it needs beside the values it returns.
const chunkBytes = 64 << 10

// Float32s reads and decodes one float tensor's values (ErrNotWeight for
// another dtype). e must be one of r.Entries.
func (r *Reader) Float32s(e *Entry) ([]float32, error) {
	if !e.IsWeight() {
		return nil, fmt.Errorf("%s: dtype %s: %w", e.Name, e.DType, ErrNotWeight)
	}
	size := uint64(e.DType.Bits() / 8)
	out := make([]float32, (e.end-e.begin)/size)
	buf := make([]byte, min(chunkBytes, e.end-e.begin))
	for done := uint64(0); done < e.end-e.begin; {
		chunk := buf[:min(uint64(len(buf)), e.end-e.begin-done)]
		if err := r.readAt(e, chunk, done); err != nil {
			return nil, err
		}
		decodeFloats(e.DType, out[done/size:], chunk)
		done += uint64(len(chunk))
	}
	return out, nil
}

// readAt reads len(b) bytes of e's data from offset off within it.
func (r *Reader) readAt(e *Entry, b []byte, off uint64) error {
	if _, err := r.f.ReadAt(b, r.base+int64(e.begin+off)); err != nil {
		return fmt.Errorf("reading %s: tensor %q: %w", r.path, e.Name, readErr(err))
	}
	return nil
}

// Close closes the file.
func (r *Reader) Close() error { return r.f.Close() }
