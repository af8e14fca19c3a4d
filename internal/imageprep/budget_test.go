package imageprep

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// bombPNG is a PNG whose header says w×h pixels of 16-bit RGBA and whose
// data is one pixel's: what a decompression bomb's header looks like.
func bombPNG(t testing.TB, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	img := image.NewNRGBA64(image.Rect(0, 0, 1, 1))
	img.SetNRGBA64(0, 0, color.NRGBA64{1, 2, 3, 4})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// IHDR: length(4) "IHDR"(4) width height ..., CRC over type and data.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// TestDecodeBudget: an image whose header promises more decoded bytes
// than the budget is refused before any pixel is decoded, with the sizes
// in the message; the 13000x13000 16-bit RGBA PNG passes the
// pixel limit but not the byte budget.
func TestDecodeBudget(t *testing.T) {
	dir := t.TempDir()
	bomb := writeFile(t, dir, "bomb.png", bombPNG(t, 13000, 13000))
	_, err := Decode(bomb)
	if err == nil || !strings.Contains(err.Error(), "bomb.png: decoding this 13000x13000 PNG would take up to 3.0 GB, more than the 1 GB budget for decoded images") {
		t.Fatalf("got %v", err)
	}
	p, _ := Preset("torch")
	if _, err := Load([]string{bomb, bomb}, p, 3, 224); err == nil || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("Load: got %v", err)
	}
	// A small image with the same header shape decodes.
	if _, err := Decode(writeFile(t, dir, "one.png", bombPNG(t, 1, 1))); err != nil {
		t.Fatal(err)
	}
}

// TestLoadWithinBudget: with a budget that holds one image at a time,
// Load still decodes a batch, the same as with room for all.
func TestLoadWithinBudget(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 6 {
		paths = append(paths, writePNG(t, dir, string(rune('a'+i))+".png", synthNRGBA(40+i, 30)))
	}
	p, _ := Preset("raw")
	want, err := Load(paths, p, 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer func(b int64) { loadBudget = b }(loadBudget)
	loadBudget = 45 * 30 * (4*2 + 3) // the largest image's cost: one at a time
	got, err := Load(paths, p, 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("a tight budget changed the batch")
	}
	loadBudget = 40*30*(4*2+3) - 1 // too small for any of them
	if _, err := Load(paths, p, 3, 8); err == nil || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("got %v", err)
	}
}

// TestBudget: concurrent takers never hold more than the total together,
// and all are served.
func TestBudget(t *testing.T) {
	b := newBudget(100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := int64(0)
	for i := range 16 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for range 200 {
				n := 1 + r.Int64N(100)
				b.acquire(n)
				mu.Lock()
				held += n
				if held > 100 {
					t.Errorf("%d held at once", held)
				}
				mu.Unlock()
				mu.Lock()
				held -= n
				mu.Unlock()
				b.release(n)
			}
		})
	}
	wg.Wait()
	if b.used != 0 || b.peak > 100 {
		t.Fatalf("used %d, peak %d", b.used, b.peak)
	}
}
