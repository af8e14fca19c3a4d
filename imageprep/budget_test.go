package imageprep

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/resc-dev/resc/internal/testenv"
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
	loadBudget = 45*30*(4*2+3) + 256<<10 // the largest image's cost: one at a time
	got, err := Load(paths, p, 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("a tight budget changed the batch")
	}
	loadBudget = 40*30*(4*2+3) + 256<<10 - 1 // too small for any of them
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

// TestDecodeCostBounds measures what the standard decoders really
// allocate for each kind of PNG and JPEG (bytes allocated while decoding
// and converting to RGB, an upper bound of the live memory) and checks
// that decodeCost, which the budget trusts, is never below it. The
// progressive JPEGs, which Go cannot write, come from OpenCV (libjpeg).
func TestDecodeCostBounds(t *testing.T) {
	const w, h = 632, 473 // not multiples of 8 or 16: partial MCUs
	dir := t.TempDir()
	files := map[string][]byte{}
	pngOf := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	rect := image.Rect(0, 0, w, h)
	gray, gray16, nrgba, nrgba64 := image.NewGray(rect), image.NewGray16(rect), image.NewNRGBA(rect), image.NewNRGBA64(rect)
	pal := image.NewPaletted(rect, color.Palette{color.Black, color.White, color.NRGBA{200, 10, 10, 128}})
	for y := range h {
		for x := range w {
			v := uint8(x*y + x ^ y)
			gray.SetGray(x, y, color.Gray{v})
			gray16.SetGray16(x, y, color.Gray16{uint16(v) * 257})
			nrgba.SetNRGBA(x, y, color.NRGBA{v, uint8(x), uint8(y), uint8(128 + x%2)})
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(v) << 8, uint16(x), uint16(y), 40000})
			pal.SetColorIndex(x, y, v%3)
		}
	}
	opaque := image.NewRGBA(rect)
	copy(opaque.Pix, nrgba.Pix)
	for i := 3; i < len(opaque.Pix); i += 4 {
		opaque.Pix[i] = 255
	}
	files["gray.png"] = pngOf(gray)
	files["gray16.png"] = pngOf(gray16)
	files["rgb.png"] = pngOf(opaque)
	files["nrgba.png"] = pngOf(nrgba)
	files["nrgba64.png"] = pngOf(nrgba64)
	files["paletted.png"] = pngOf(pal)
	var j bytes.Buffer
	jpeg.Encode(&j, opaque, &jpeg.Options{Quality: 90})
	files["baseline.jpg"] = bytes.Clone(j.Bytes())
	j.Reset()
	jpeg.Encode(&j, gray, nil)
	files["gray.jpg"] = bytes.Clone(j.Bytes())
	for name, data := range files {
		os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	names := slices.Sorted(maps.Keys(files))
	if progressive(t, dir, w, h) {
		names = append(names, "progressive.jpg", "progressive_gray.jpg")
	}
	for _, name := range names {
		h, err := openImage(filepath.Join(dir, name), DecodeBudget)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rgb, err := h.decode()
		runtime.ReadMemStats(&after)
		h.close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		used := int64(after.TotalAlloc - before.TotalAlloc)
		if used > h.cost {
			t.Errorf("%s: decoding allocated %d bytes, the estimate is %d", name, used, h.cost)
		}
		if rgb.W != w {
			t.Errorf("%s: decoded %dx%d", name, rgb.W, rgb.H)
		}
		t.Logf("%s: %d bytes allocated, %d estimated (%.2fx)", name, used, h.cost, float64(h.cost)/float64(used))
	}
}

// progressive writes progressive.jpg (colour, 4:2:0) and
// progressive_gray.jpg with OpenCV, or reports the tool missing.
func progressive(t *testing.T, dir string, w, h int) bool {
	const py = "/usr/bin/python3" // Debian's, which python3-opencv installs for
	script := `
import sys, cv2, numpy as np
d, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
y, x = np.mgrid[0:h, 0:w]
img = np.stack([(x * 3) % 256, (y * 5) % 256, (x ^ y) % 256], axis=-1).astype(np.uint8)
p = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]
assert cv2.imwrite(d + "/progressive.jpg", img, p)
assert cv2.imwrite(d + "/progressive_gray.jpg", img[:, :, 0], p)
`
	out, err := exec.Command(py, "-c", script, dir, fmt.Sprint(w), fmt.Sprint(h)).CombinedOutput()
	if err != nil {
		testenv.Missing(t, "OpenCV for %s (Debian package python3-opencv) to write progressive JPEGs: %v %s", py, err, out)
		return false
	}
	return true
}
