package hdf5

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// inflate decompresses a deflate-filtered chunk (a zlib stream) that must
// not exceed limit bytes.
func inflate(b []byte, limit int) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	out := make([]byte, 0, limit)
	buf := bytes.NewBuffer(out)
	n, err := io.Copy(buf, io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("deflate: %w", err)
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("deflate: more than the chunk's %d bytes", limit)
	}
	return buf.Bytes(), nil
}
