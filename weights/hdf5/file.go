// Package hdf5 reads the subset of HDF5 files that Keras weight files use:
// groups (symbol tables, compact and dense links), attributes (compact and
// dense), and float datasets stored compact, contiguous or chunked (v1
// B-tree, single-chunk, implicit, fixed-array, extensible-array and v2
// B-tree indexes; deflate, shuffle and fletcher32 filters), in superblock versions 0 to 3 and object header
// versions 1 and 2, as the HDF5 File Format Specification describes them.
// Checksums (lookup3 on version 2 structures, fletcher32 on chunks) are
// verified.
//
// It is read-only and strict: the whole file is held in memory, every
// offset and length is checked against it, recursion, message counts and
// decompressed sizes are bounded, and anything outside the subset is an
// error naming what it is, never a panic.
package hdf5

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Signature is the 8 bytes that begin an HDF5 superblock, found at offset
// 0 or after a user block of 512, 1024, 2048, ... bytes.
const Signature = "\x89HDF\r\n\x1a\n"

// Limits that keep a hostile file from exhausting time or memory.
const (
	// DefaultMaxDataBytes bounds the decoded values of one dataset or
	// attribute (File.MaxDataBytes).
	DefaultMaxDataBytes = 4 << 30
	maxDepth            = 64      // nested groups, B-tree levels
	maxMessages         = 1 << 16 // messages in one object header
	maxChunks           = 1 << 10 // continuation blocks of one object header
	maxRank             = 32
	maxLinks            = 1 << 20 // links in one group
)

// ErrNotHDF5 is returned for data without an HDF5 superblock signature.
var ErrNotHDF5 = errors.New("not an HDF5 file (no superblock signature)")

// A File is an HDF5 file held in memory.
type File struct {
	data    []byte // from the superblock on; addresses are relative to it
	offSize int    // "size of offsets": bytes in an address
	lenSize int    // "size of lengths"
	root    uint64 // the root group's object header address
	// MaxDataBytes bounds the decoded size of one dataset or attribute
	// value; Read sets DefaultMaxDataBytes.
	MaxDataBytes int64

	objects map[uint64]*Object // parsed object headers by address
	heaps   map[uint64][]byte  // global heap collections by address
}

// FindSignature returns the offset of the superblock in data: 0, 512,
// 1024, 2048, ... (-1 when there is none).
func FindSignature(data []byte) int {
	for off := 0; off+len(Signature) <= len(data); off = max(512, 2*off) {
		if string(data[off:off+len(Signature)]) == Signature {
			return off
		}
	}
	return -1
}

// Read decodes the superblock of the HDF5 file held in data. Objects are
// decoded as they are opened.
func Read(data []byte) (*File, error) {
	off := FindSignature(data)
	if off < 0 {
		return nil, ErrNotHDF5
	}
	f := &File{data: data[off:], MaxDataBytes: DefaultMaxDataBytes,
		objects: map[uint64]*Object{}, heaps: map[uint64][]byte{}}
	if err := f.superblock(uint64(off)); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) superblock(off uint64) error {
	d := f.decoder(f.data, "superblock")
	d.skip(len(Signature))
	version := d.u8()
	var base, eof uint64
	switch version {
	case 0, 1:
		d.skip(4) // free-space, root entry, reserved, shared-header versions
		f.offSize, f.lenSize = int(d.u8()), int(d.u8())
		d.skip(1 + 2 + 2 + 4) // reserved, group K values, consistency flags
		if version == 1 {
			d.skip(4) // indexed storage K, reserved
		}
		if err := f.checkSizes(d); err != nil {
			return err
		}
		base = d.addr()
		d.addr() // free-space info
		eof = d.addr()
		d.addr() // driver information block
		// The root group's symbol table entry: name offset, header address.
		d.addr()
		f.root = d.addr()
	case 2, 3:
		f.offSize, f.lenSize = int(d.u8()), int(d.u8())
		d.skip(1) // consistency flags
		if err := f.checkSizes(d); err != nil {
			return err
		}
		base = d.addr()
		d.addr() // superblock extension
		eof = d.addr()
		f.root = d.addr()
		end := d.off
		if sum := d.u32(); d.err == nil && sum != lookup3(f.data[:end]) {
			return errors.New("superblock: checksum mismatch")
		}
	default:
		return fmt.Errorf("superblock version %d is not supported (0 to 3 are)", version)
	}
	if d.err != nil {
		return d.err
	}
	// Addresses are relative to the base address, which HDF5 sets to the
	// superblock's own position, where data starts. The end-of-file
	// address is absolute; the library checks it too: a shorter file was
	// cut off.
	if base != off {
		return fmt.Errorf("superblock: base address %d, but the superblock is at %d", int64(base), off)
	}
	if eof != undef && eof-off > uint64(len(f.data)) {
		return fmt.Errorf("truncated: the superblock gives %d bytes, the file has %d", eof, off+uint64(len(f.data)))
	}
	if f.root == undef {
		return errors.New("superblock: the root group has no address")
	}
	return nil
}

func (f *File) checkSizes(d *decoder) error {
	if d.err != nil {
		return d.err
	}
	for _, n := range []int{f.offSize, f.lenSize} {
		if n != 2 && n != 4 && n != 8 {
			return fmt.Errorf("superblock: field size %d is not 2, 4 or 8", n)
		}
	}
	return nil
}

// at returns n bytes at address addr, or an error naming what was sought.
func (f *File) at(addr, n uint64, what string) ([]byte, error) {
	size := uint64(len(f.data))
	if addr == undef {
		return nil, fmt.Errorf("%s: undefined address", what)
	}
	if addr > size || n > size-addr {
		return nil, fmt.Errorf("%s: %d bytes at address %d run past the end of the file (%d bytes)", what, n, addr, size)
	}
	return f.data[addr : addr+n], nil
}

// from returns the bytes from addr to the end of the file.
func (f *File) from(addr uint64, what string) ([]byte, error) {
	if addr == undef || addr >= uint64(len(f.data)) {
		return nil, fmt.Errorf("%s: address %d is outside the file (%d bytes)", what, int64(addr), len(f.data))
	}
	return f.data[addr:], nil
}

// hasSignature reports whether the 4 bytes at addr are sig.
func (f *File) hasSignature(addr uint64, sig string) bool {
	b, err := f.at(addr, 4, "")
	return err == nil && bytes.Equal(b, []byte(sig))
}

// IsHDF5 reports whether r, of size bytes, holds an HDF5 superblock
// signature at offset 0 or after a user block (512, 1024, 2048, ...).
func IsHDF5(r io.ReaderAt, size int64) bool {
	buf := make([]byte, len(Signature))
	for off := int64(0); off+int64(len(buf)) <= size; off = max(512, 2*off) {
		if _, err := r.ReadAt(buf, off); err != nil {
			return false
		}
		if string(buf) == Signature {
			return true
		}
	}
	return false
}
