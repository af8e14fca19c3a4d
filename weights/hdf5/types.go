package hdf5

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Class is a datatype class of the format.
type Class uint8

// The datatype classes this reader decodes values of.
const (
	ClassInteger Class = 0
	ClassFloat   Class = 1
	ClassString  Class = 3
	ClassVarLen  Class = 9
)

// A Datatype describes the elements of a dataset or attribute.
type Datatype struct {
	Class Class
	Size  int              // bytes per element in the file
	Order binary.ByteOrder // of integers and floats
	// VarString is set for a variable-length string (class 9, type 1).
	VarString bool
	// SpacePadded is set for fixed strings padded with spaces.
	SpacePadded bool
}

// String names the type as a user would: "float32 (big-endian)".
func (t Datatype) String() string {
	order := ""
	if t.Order == binary.BigEndian {
		order = " (big-endian)"
	}
	switch t.Class {
	case ClassFloat:
		return fmt.Sprintf("float%d%s", 8*t.Size, order)
	case ClassInteger:
		return fmt.Sprintf("integer of %d bytes%s", t.Size, order)
	case ClassString:
		return fmt.Sprintf("string of %d bytes", t.Size)
	case ClassVarLen:
		if t.VarString {
			return "variable-length string"
		}
		return "variable-length sequence"
	}
	return fmt.Sprintf("datatype class %d", t.Class)
}

// parseDatatype decodes a datatype message; other classes than floats,
// integers and strings decode with their class and size only.
func (f *File) parseDatatype(b []byte) (Datatype, error) {
	d := f.decoder(b, "datatype message")
	cv := d.u8()
	bits := d.uint(3)
	t := Datatype{Class: Class(cv & 0x0F), Size: int(d.u32()), Order: binary.LittleEndian}
	if d.err != nil {
		return t, d.err
	}
	if v := cv >> 4; v < 1 || v > 5 {
		return t, fmt.Errorf("datatype message version %d, want 1 to 5", v)
	}
	if t.Size <= 0 || t.Size > 1<<16 {
		return t, fmt.Errorf("datatype of %d bytes", t.Size)
	}
	switch t.Class {
	case ClassInteger:
		if bits&1 != 0 {
			t.Order = binary.BigEndian
		}
	case ClassFloat:
		if bits&0x40 != 0 {
			return t, fmt.Errorf("VAX float byte order is not supported")
		}
		if bits&1 != 0 {
			t.Order = binary.BigEndian
		}
		// Only IEEE binary16/32/64 layouts: offset, precision, exponent
		// location and size, mantissa location and size, bias.
		off, prec := d.u16(), d.u16()
		eloc, esize, mloc, msize := d.u8(), d.u8(), d.u8(), d.u8()
		bias := d.u32()
		if d.err != nil {
			return t, d.err
		}
		ieee := map[int][5]int{2: {10, 5, 10, 15, 15}, 4: {23, 8, 23, 127, 31}, 8: {52, 11, 52, 1023, 63}}
		want, ok := ieee[t.Size]
		got := [5]int{int(eloc), int(esize), int(msize), int(bias), int((bits >> 8) & 0xFF)}
		if !ok || got != want || off != 0 || int(prec) != 8*t.Size || mloc != 0 {
			return t, fmt.Errorf("float of %d bytes is not IEEE binary16, binary32 or binary64", t.Size)
		}
	case ClassString:
		t.SpacePadded = bits&0x0F == 2
	case ClassVarLen:
		t.VarString = bits&0x0F == 1
	}
	return t, nil
}

// elementSize is the size of one element as stored: variable-length
// elements are a length, a global heap collection address and an index.
func (f *File) elementSize(t Datatype) int {
	if t.Class == ClassVarLen {
		return 4 + f.offSize + 4
	}
	return t.Size
}

// parseDataspace decodes a dataspace message into its dimensions; nil for
// a scalar, and null when it holds no elements at all.
func (f *File) parseDataspace(b []byte) (dims []int, null bool, err error) {
	d := f.decoder(b, "dataspace message")
	version := d.u8()
	rank := int(d.u8())
	flags := d.u8()
	switch version {
	case 1:
		d.skip(5)
	case 2:
		switch d.u8() {
		case 0:
			rank = 0
		case 2:
			return nil, true, d.err
		}
	default:
		if d.err == nil {
			return nil, false, fmt.Errorf("dataspace message version %d, want 1 or 2", version)
		}
	}
	if rank > maxRank {
		return nil, false, fmt.Errorf("dataspace of rank %d (at most %d)", rank, maxRank)
	}
	for range rank {
		n := d.length()
		if n > math.MaxInt32 {
			d.fail("dimension %d is too large", n)
		}
		dims = append(dims, int(n))
	}
	_ = flags // maximum dimensions and permutations follow; not needed
	return dims, false, d.err
}

// count is the number of elements of dims, checked against limit.
func count(dims []int, limit int64) (int64, error) {
	n := int64(1)
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d", d)
		}
		if d != 0 && n > limit/int64(d) {
			return 0, fmt.Errorf("shape %v holds more than %d elements", dims, limit)
		}
		n *= int64(d)
	}
	return n, nil
}
