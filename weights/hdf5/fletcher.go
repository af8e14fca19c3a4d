package hdf5

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// fletcher32 is HDF5's Fletcher checksum of a chunk: sums of big-endian
// 16-bit words, folded every 360 words.
func fletcher32(b []byte) uint32 {
	var s1, s2 uint32
	fold := func() {
		s1 = s1&0xFFFF + s1>>16
		s2 = s2&0xFFFF + s2>>16
	}
	for len(b) >= 2 {
		n := min(len(b)/2, 360)
		for range n {
			s1 += uint32(b[0])<<8 | uint32(b[1])
			s2 += s1
			b = b[2:]
		}
		fold()
	}
	if len(b) == 1 {
		s1 += uint32(b[0]) << 8
		s2 += s1
		fold()
	}
	fold()
	return s2<<16 | s1
}

// checkFletcher32 verifies and strips the checksum the fletcher32 filter
// appends. Like the library, it also takes the checksum byte-reversed, as
// versions before 1.6.3 wrote it.
func checkFletcher32(b []byte) ([]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("fletcher32: %d bytes", len(b))
	}
	data, stored := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if sum := fletcher32(data); sum != stored && bits.ReverseBytes32(sum) != stored {
		return nil, fmt.Errorf("fletcher32: checksum mismatch")
	}
	return data, nil
}
