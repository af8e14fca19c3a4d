package hdf5

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
)

// inflate decompresses a deflate-filtered chunk (a zlib stream, whose
// checksum is verified) of at most limit bytes.
func inflate(b []byte, limit int) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	out := make([]byte, limit)
	n, err := io.ReadFull(r, out)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return out[:n], nil // the stream ended, its checksum verified
	case err != nil:
		return nil, fmt.Errorf("deflate: %w", err)
	}
	// Full: the stream must end here.
	var one [1]byte
	switch m, err := r.Read(one[:]); {
	case m > 0:
		return nil, fmt.Errorf("deflate: more than the chunk's %d bytes", limit)
	case errors.Is(err, io.EOF):
		return out, nil
	default:
		return nil, fmt.Errorf("deflate: %w", err)
	}
}
