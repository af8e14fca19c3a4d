package hdf5

import (
	"encoding/binary"
	"fmt"
)

// undef is the "undefined address" of the format (all bits set), after
// widening to 64 bits.
const undef = ^uint64(0)

// A decoder reads little-endian fields from one structure of the file.
// Running past its end sets a sticky error naming the structure, so a
// parser reads all fields and checks err once.
type decoder struct {
	f    *File
	b    []byte
	off  int
	err  error
	what string
}

func (f *File) decoder(b []byte, what string) *decoder {
	return &decoder{f: f, b: b, what: what}
}

func (d *decoder) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || n > len(d.b)-d.off {
		d.err = fmt.Errorf("%s: truncated (needs %d more bytes at offset %d of %d)", d.what, n, d.off, len(d.b))
		return false
	}
	return true
}

func (d *decoder) bytes(n int) []byte {
	if !d.need(n) {
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

func (d *decoder) skip(n int) { d.bytes(n) }

func (d *decoder) u8() uint8 {
	if b := d.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *decoder) u16() uint16 { return uint16(d.uint(2)) }
func (d *decoder) u32() uint32 { return uint32(d.uint(4)) }

// uint reads an n-byte little-endian unsigned integer, n at most 8.
func (d *decoder) uint(n int) uint64 {
	b := d.bytes(n)
	if b == nil {
		return 0
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

// addr reads a file address; the undefined address becomes undef.
func (d *decoder) addr() uint64 {
	n := d.f.offSize
	v := d.uint(n)
	if n < 8 && v == 1<<(8*n)-1 {
		return undef
	}
	return v
}

// length reads a size field ("size of lengths" bytes).
func (d *decoder) length() uint64 { return d.uint(d.f.lenSize) }

// signature checks a 4-byte signature.
func (d *decoder) signature(sig string) {
	b := d.bytes(4)
	if d.err == nil && string(b) != sig {
		d.err = fmt.Errorf("%s: signature %q, want %q", d.what, b, sig)
	}
}

// fail records an error unless one is already set.
func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: "+format, append([]any{d.what}, args...)...)
	}
}
