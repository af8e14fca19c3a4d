package npy

import (
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// floatHeader matches the header numpy.save writes for a C-order
// little-endian float32 array (and Encode too), capturing the shape tuple.
var floatHeader = regexp.MustCompile(`^\{'descr': '<f4', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \}\s*$`)

// maxDecodeElems bounds what Decode allocates for a shape that the data
// does not back (a header claiming 2^60 elements).
const maxDecodeElems = 1 << 40

// Decode reads a version 1.0 .npy file of C-order little-endian float32
// values, as numpy.save and Encode write it, and returns the values and
// the shape. Anything else is an error.
func Decode(b []byte) ([]float32, []int, error) {
	if len(b) < 10 || string(b[:8]) != magic+"\x01\x00" {
		return nil, nil, fmt.Errorf("npy: not a version 1.0 .npy file")
	}
	hlen := int(binary.LittleEndian.Uint16(b[8:10]))
	if len(b) < 10+hlen {
		return nil, nil, fmt.Errorf("npy: truncated header")
	}
	m := floatHeader.FindStringSubmatch(string(b[10 : 10+hlen]))
	if m == nil {
		return nil, nil, fmt.Errorf("npy: header %q is not a C-order float32 array", b[10:10+hlen])
	}
	shape := []int{}
	n := 1
	for _, f := range strings.Split(m[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d > maxDecodeElems || d > 0 && n > maxDecodeElems/d {
			return nil, nil, fmt.Errorf("npy: shape (%s) is out of range", m[1])
		}
		shape = append(shape, d)
		n *= d
	}
	data := b[10+hlen:]
	if len(data) != 4*n {
		return nil, nil, fmt.Errorf("npy: %d bytes of data for shape %v", len(data), shape)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return v, shape, nil
}
