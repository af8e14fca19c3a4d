package npy

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"github.com/resc-dev/resc/internal/atomicfile"
)

// An Array is one named array of an .npz archive.
type Array struct {
	Name  string // the key numpy.load gives it: the entry NAME.npy
	Data  []float32
	Shape []int
}

// EncodeNPZ returns an .npz archive of arrays, as numpy.savez writes it: a
// zip with one stored (uncompressed) entry NAME.npy per array, in order.
// The bytes depend on the arrays only: every entry is dated 1980-01-01.
func EncodeNPZ(arrays []Array) ([]byte, error) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	seen := map[string]bool{}
	for _, a := range arrays {
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00") || seen[a.Name] {
			return nil, fmt.Errorf("npz: array name %q is empty, repeated or holds a path separator", a.Name)
		}
		seen[a.Name] = true
		b, err := Encode(a.Data, a.Shape)
		if err != nil {
			return nil, fmt.Errorf("npz: %s: %v", a.Name, err)
		}
		w, err := z.CreateRaw(&zip.FileHeader{
			Name:               a.Name + ".npy",
			Method:             zip.Store,
			Modified:           time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), // the earliest MS-DOS date
			CRC32:              crc32.ChecksumIEEE(b),
			CompressedSize64:   uint64(len(b)),
			UncompressedSize64: uint64(len(b)),
		})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteNPZ writes arrays to path as an .npz archive (EncodeNPZ),
// atomically.
func WriteNPZ(path string, arrays []Array) error {
	b, err := EncodeNPZ(arrays)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o644)
}
