// Package npy writes float32 arrays as NumPy .npy files (format version
// 1.0), which numpy.load reads.
//
// A file is the magic "\x93NUMPY", the version bytes 1 and 0, a
// little-endian uint16 header length, and the header: a Python dict literal
// such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 10), }
// padded with spaces and ending in a newline so that the data after it
// starts at a multiple of 64 bytes. The data follows in C order, each
// value a little-endian float32.
package npy

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/resc-dev/resc/internal/atomicfile"
)

const magic = "\x93NUMPY"

// Encode returns the .npy bytes of a float32 array of the given shape.
// A nil or empty shape is a scalar, which holds one value.
func Encode(data []float32, shape []int) ([]byte, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("npy: negative dimension in shape %v", shape)
		}
		n *= d
	}
	if n != len(data) {
		return nil, fmt.Errorf("npy: shape %v holds %d values, got %d", shape, n, len(data))
	}
	header := "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }"
	// magic(6) + version(2) + length(2) + header + padding + '\n' ≡ 0 mod 64.
	pre := len(magic) + 4
	total := pre + len(header) + 1
	if r := total % 64; r != 0 {
		total += 64 - r
	}
	hlen := total - pre
	if hlen > math.MaxUint16 {
		return nil, fmt.Errorf("npy: shape %v makes the header too long for format 1.0", shape)
	}
	buf := make([]byte, 0, total+4*len(data))
	buf = append(buf, magic...)
	buf = append(buf, 1, 0)
	buf = binary.LittleEndian.AppendUint16(buf, uint16(hlen))
	buf = append(buf, header...)
	buf = append(buf, strings.Repeat(" ", hlen-len(header)-1)...)
	buf = append(buf, '\n')
	for _, v := range data {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	return buf, nil
}

// shapeTuple writes a shape as a Python tuple: (), (3,), (2, 10).
func shapeTuple(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", shape[0])
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// WriteFile writes a float32 array of the given shape to path as a .npy
// file, atomically: readers see the old file or the whole new one.
func WriteFile(path string, data []float32, shape []int) error {
	b, err := Encode(data, shape)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o644)
}
