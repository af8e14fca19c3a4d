package imageprep

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writePNG encodes img into dir/name and returns the path.
func writePNG(t *testing.T, dir, name string, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, buf.Bytes())
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tiny is a 2x2 image: (0,128,255) (10,20,30) / (255,255,255) (1,254,77).
func tiny() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.SetNRGBA(0, 0, color.NRGBA{0, 128, 255, 255})
	img.SetNRGBA(1, 0, color.NRGBA{10, 20, 30, 255})
	img.SetNRGBA(0, 1, color.NRGBA{255, 255, 255, 255})
	img.SetNRGBA(1, 1, color.NRGBA{1, 254, 77, 255})
	return img
}

// synth is a 8-bit pattern whose every pixel differs from its neighbours:
// R = 3x+7y, G = xy, B = x^y (mod 256).
func synth(w, h int) *RGB {
	img := newRGB(w, h)
	for y := range h {
		for x := range w {
			i := 3 * (y*w + x)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2] = uint8(3*x+7*y), uint8(x*y), uint8(x^y)
		}
	}
	return img
}

// TestPresetValues checks each preset's output, value for value, on a 2x2
// image that the geometry leaves as it is (for torch, ResizeShorter(2) is
// 2). The expected values are NumPy float32 computations of the references'
// formulas: torchvision's ToTensor+Normalize, Keras's preprocess_input.
func TestPresetValues(t *testing.T) {
	want := map[string][]float32{
		"torch": {-2.117904, -1.9466565, 2.2489083, -2.1007793, 0.2051822, -1.6855742, 2.4285715, 2.4110641, 2.64, -1.2815686, 2.64, -0.4623964},
		"caffe": {151.061, -73.939, 151.061, -26.939003, 11.221001, -96.779, 138.22101, 137.22101, -123.68, -113.68, 131.32, -122.68},
		"tf":    {-1.0, -0.92156863, 1.0, -0.99215686, 0.003921628, -0.84313726, 1.0, 0.99215686, 1.0, -0.7647059, 1.0, -0.3960784},
		"raw":   {0, 10, 255, 1, 128, 20, 255, 254, 255, 30, 255, 77},
		"cifar": {-1.9894737, -1.8307058, 2.0591094, -1.9735969, 0.08115326, -1.6581874, 2.1264887, 2.110384, 2.115826, -1.2570832, 2.115826, -0.5525199},
	}
	dir := t.TempDir()
	path := writePNG(t, dir, "tiny.png", tiny())
	for _, name := range Presets() {
		p, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Load([]string{path}, p, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		w := want[name]
		if len(got) != len(w) {
			t.Fatalf("%s: %d values, want %d", name, len(got), len(w))
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s: value %d (c%d y%d x%d) = %v, want %v", name, i, i/4, i/2%2, i%2, got[i], w[i])
			}
		}
	}
}

func TestPresetErrors(t *testing.T) {
	if _, err := Preset("imagenet"); err == nil || !strings.Contains(err.Error(), `"imagenet"`) || !strings.Contains(err.Error(), "torch") {
		t.Errorf("Preset(imagenet) error = %v", err)
	}
	for _, n := range Presets() {
		p, err := Preset(n)
		if err != nil || p.Name != n {
			t.Errorf("Preset(%q) = %+v, %v", n, p, err)
		}
	}
}

func TestPresetFor(t *testing.T) {
	for _, c := range []struct{ model, naming, want string }{
		{"resnet50", "torch", "torch"},
		{"resnext101_32x8d", "torch", "torch"},
		{"wide_resnet50_2", "torch", "torch"},
		{"seresnext50_32x4d", "torch", "torch"},
		{"ecaresnet50d", "torch", "torch"},
		{"keras_resnet50", "keras", "caffe"},
		{"keras_resnet101", "keras", "caffe"},
		{"keras_resnet152", "keras", "caffe"},
		{"keras_resnet50v2", "keras", "tf"},
		{"keras_resnet101v2", "keras", "tf"},
		{"keras_resnet152v2", "keras", "tf"},
		{"cm_resnet18", "keras", "raw"},
		{"cm_seresnext101", "keras", "raw"},
		{"cifar_resnet56", "torch", "cifar"},
		{"cifar_resnet1202", "torch", "cifar"},
		{"wrn_28_10", "torch", "cifar"},
		{"Keras_ResNet50V2", "keras", "tf"},
		{"my_net", "torch", "torch"},
		{"my_net", "", "torch"},
		{"my_keras_style_net", "keras", "caffe"},
		{"efficientnet_b3", "torch", "efficientnet_b3"},
		{"EfficientNet_V2_L", "torch", "efficientnet_v2_l"},
		{"mobilenet_v2", "torch", "mobilenet_v2"},
		{"regnet_y_16gf", "torch", "regnet_y_16gf"},
		{"convnext_tiny", "torch", "convnext_tiny"},
		{"resnet50_fpn_backbone", "torch", "torch"},
	} {
		if got := PresetFor(c.model, c.naming); got != c.want {
			t.Errorf("PresetFor(%q, %q) = %q, want %q", c.model, c.naming, got, c.want)
		}
	}
}

func TestResizeShorter(t *testing.T) {
	for s, want := range map[int]int{224: 256, 160: 183, 32: 37, 288: 329, 256: 293, 1: 1, 2: 2} {
		if got := ResizeShorter(s); got != want {
			t.Errorf("ResizeShorter(%d) = %d, want %d", s, got, want)
		}
	}
}

func TestShorterSize(t *testing.T) {
	for _, c := range []struct{ w, h, short, ww, wh int }{
		{300, 200, 256, 384, 256},
		{200, 300, 256, 256, 384},
		{640, 480, 256, 341, 256}, // 341.33 truncated, as torchvision's int()
		{302, 300, 256, 257, 256},
		{100, 100, 256, 256, 256},
		{1000, 3, 5, 1666, 5},
	} {
		w, h := shorterSize(c.w, c.h, c.short)
		if w != c.ww || h != c.wh {
			t.Errorf("shorterSize(%d, %d, %d) = %dx%d, want %dx%d", c.w, c.h, c.short, w, h, c.ww, c.wh)
		}
	}
}

// A hand-checked bilinear downscale: a row 0, 100, 200, 255 to two pixels.
// The filter is stretched to support 2: output 0 has centre 1.0 and weights
// 3/7, 3/7, 1/7 on inputs 0..2, output 1 centre 3.0 and 1/7, 3/7, 3/7 on
// 1..3: (300+200)/7 = 71.4 and (100+600+765)/7 = 209.3.
func TestBilinearByHand(t *testing.T) {
	img := newRGB(4, 1)
	for x, v := range []uint8{0, 100, 200, 255} {
		img.Pix[3*x], img.Pix[3*x+1], img.Pix[3*x+2] = v, v, v
	}
	got := resizeBilinear(img, 2, 1)
	if want := []uint8{71, 71, 71, 209, 209, 209}; !bytes.Equal(got.Pix, want) {
		t.Errorf("got %v, want %v", got.Pix, want)
	}
	// Upscaling keeps the filter's support 1: 2 pixels to 4 give
	// 0, 25, 75, 100 for 0, 100 (centres at 0.25, 0.75, 1.25, 1.75).
	img = newRGB(2, 1)
	img.Pix[3], img.Pix[4], img.Pix[5] = 100, 100, 100
	got = resizeBilinear(img, 4, 1)
	if want := []uint8{0, 0, 0, 25, 25, 25, 75, 75, 75, 100, 100, 100}; !bytes.Equal(got.Pix, want) {
		t.Errorf("upscale: got %v, want %v", got.Pix, want)
	}
}

type sample struct {
	x, y    int
	r, g, b uint8
}

func checkSamples(t *testing.T, what string, img *RGB, samples []sample) {
	t.Helper()
	for _, s := range samples {
		i := 3 * (s.y*img.W + s.x)
		if got := [3]uint8(img.Pix[i : i+3]); got != [3]uint8{s.r, s.g, s.b} {
			t.Errorf("%s: pixel (%d,%d) = %v, want %v", what, s.x, s.y, got, [3]uint8{s.r, s.g, s.b})
		}
	}
}

// TestGeometry checks the resize and crop of 300x200 and 200x300 images to
// 224 against Pillow 9.4 (Image.resize, then Image.crop at torchvision's
// CenterCrop offsets), sample by sample.
func TestGeometry(t *testing.T) {
	torch, _ := Preset("torch")
	caffe, _ := Preset("caffe")
	raw, _ := Preset("raw")
	// 300x200: resized to 384x256, cropped at (80, 16).
	got := torch.geometry(synth(300, 200), 224)
	if got.W != 224 || got.H != 224 {
		t.Fatalf("torch: %dx%d", got.W, got.H)
	}
	checkSamples(t, "torch 300x200", got, []sample{
		{0, 0, 18, 161, 50}, {223, 0, 29, 55, 225}, {0, 223, 213, 62, 133}, {223, 223, 224, 65, 86},
		{100, 37, 199, 132, 165}, {57, 200, 221, 132, 194}, {112, 112, 125, 128, 242},
	})
	want := centerCrop(resizeBilinear(synth(300, 200), 384, 256), 224, 224)
	if !bytes.Equal(got.Pix, want.Pix) {
		t.Error("torch 300x200: not the 384x256 resize's centre")
	}
	// 200x300: resized to 256x384, cropped at (16, 80).
	checkSamples(t, "torch 200x300", torch.geometry(synth(200, 300), 224), []sample{
		{0, 0, 218, 161, 50}, {223, 0, 229, 62, 133}, {0, 223, 157, 55, 225}, {223, 223, 168, 65, 86},
		{100, 37, 143, 159, 2}, {57, 200, 165, 178, 226}, {112, 112, 69, 128, 242},
	})
	// Keras: 300x200 stretched to 224x224 with nearest.
	checkSamples(t, "caffe 300x200", caffe.geometry(synth(300, 200), 224), []sample{
		{0, 0, 0, 0, 0}, {223, 0, 129, 0, 43}, {0, 223, 113, 0, 199}, {223, 223, 242, 109, 236},
		{100, 37, 121, 70, 167}, {57, 200, 204, 215, 254}, {112, 112, 126, 152, 242},
	})
	// raw: stretched with bilinear.
	checkSamples(t, "raw 300x200", raw.geometry(synth(300, 200), 224), []sample{
		{0, 0, 1, 0, 0}, {223, 0, 128, 0, 43}, {0, 223, 114, 60, 199}, {223, 223, 241, 126, 236},
		{100, 37, 121, 75, 166}, {57, 200, 200, 151, 254}, {112, 112, 127, 163, 242},
	})
}

// Nearest reads source floor((x+0.5)*in/out).
func TestNearest(t *testing.T) {
	if got, want := nearestIndex(6, 4), []int{0, 2, 3, 5}; !slices.Equal(got, want) {
		t.Errorf("nearestIndex(6, 4) = %v, want %v", got, want)
	}
	if got, want := nearestIndex(2, 5), []int{0, 0, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("nearestIndex(2, 5) = %v, want %v", got, want)
	}
}

// torchvision's CenterCrop rounds the offset half to even (Python's round):
// a 257-wide image cropped to 224 starts at column 16, not 17.
func TestCenterCropRounding(t *testing.T) {
	img := synth(257, 227)
	got := centerCrop(img, 224, 224)
	// left round(16.5) = 16, top round(1.5) = 2
	checkSamples(t, "crop", got, []sample{{0, 0, uint8(3*16 + 7*2), uint8(16 * 2), uint8(16 ^ 2)}})
}

func TestDecodeFormats(t *testing.T) {
	dir := t.TempDir()
	const w, h = 5, 3
	at := func(x, y int) (uint8, uint8, uint8) { return uint8(40*x + y), uint8(200 - 30*y), uint8(17 * (x + y)) }
	gray := image.NewGray(image.Rect(0, 0, w, h))
	gray16 := image.NewGray16(image.Rect(0, 0, w, h))
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	rgba64 := image.NewRGBA64(image.Rect(0, 0, w, h))
	pal := color.Palette{}
	paletted := image.NewPaletted(image.Rect(0, 0, w, h), nil)
	for y := range h {
		for x := range w {
			r, g, b := at(x, y)
			gray.SetGray(x, y, color.Gray{r})
			gray16.SetGray16(x, y, color.Gray16{uint16(r)<<8 | 0xab})
			// half-transparent: the straight colour must come back
			nrgba.SetNRGBA(x, y, color.NRGBA{r, g, b, uint8(60 * x)})
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(r)<<8 | 0x7f, uint16(g) << 8, uint16(b)<<8 | 0xff, 0x8000})
			rgba64.SetRGBA64(x, y, color.RGBA64{uint16(r)<<8 | 0x12, uint16(g)<<8 | 0x34, uint16(b)<<8 | 0x56, 0xffff})
			pal = append(pal, color.NRGBA{r, g, b, 128})
		}
	}
	paletted.Palette = pal
	for i := range paletted.Pix {
		paletted.Pix[i] = uint8(i)
	}
	// Alpha is dropped, keeping the straight colour, even where it is 0
	// (nrgba's column 0).
	for _, c := range []struct {
		name string
		img  image.Image
		gray bool
	}{
		{"gray.png", gray, true},
		{"gray16.png", gray16, true},
		{"nrgba.png", nrgba, false},
		{"nrgba64.png", nrgba64, false},
		{"rgb48.png", rgba64, false},
		{"paletted.png", paletted, false},
	} {
		path := writePNG(t, dir, c.name, c.img)
		got, err := Decode(path)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.W != w || got.H != h {
			t.Fatalf("%s: %dx%d", c.name, got.W, got.H)
		}
		for y := range h {
			for x := range w {
				r, g, b := at(x, y)
				if c.gray {
					g, b = r, r
				}
				i := 3 * (y*w + x)
				if p := [3]uint8(got.Pix[i : i+3]); p != [3]uint8{r, g, b} {
					t.Errorf("%s: (%d,%d) = %v, want %v", c.name, x, y, p, [3]uint8{r, g, b})
				}
			}
		}
	}
}

func TestFromImageCMYKAndPremultiplied(t *testing.T) {
	cmyk := image.NewCMYK(image.Rect(0, 0, 2, 1))
	cmyk.SetCMYK(0, 0, color.CMYK{0, 0, 0, 0})
	cmyk.SetCMYK(1, 0, color.CMYK{255, 0, 128, 64})
	got := FromImage(cmyk)
	r, g, b := color.CMYKToRGB(255, 0, 128, 64)
	if want := []uint8{255, 255, 255, r, g, b}; !bytes.Equal(got.Pix, want) {
		t.Errorf("CMYK: %v, want %v", got.Pix, want)
	}
	// A premultiplied pixel at half alpha comes back un-premultiplied.
	rgba := image.NewRGBA(image.Rect(0, 0, 1, 1))
	rgba.SetRGBA(0, 0, color.RGBA{50, 100, 0, 128})
	n := color.NRGBAModel.Convert(color.RGBA{50, 100, 0, 128}).(color.NRGBA)
	if got := FromImage(rgba); !bytes.Equal(got.Pix, []uint8{n.R, n.G, n.B}) {
		t.Errorf("RGBA: %v, want %v", got.Pix, []uint8{n.R, n.G, n.B})
	}
	// A sub-image with a non-zero origin.
	sub := synthNRGBA(6, 4).SubImage(image.Rect(2, 1, 5, 3))
	got = FromImage(sub)
	if got.W != 3 || got.H != 2 || got.Pix[0] != uint8(3*2+7*1) {
		t.Errorf("sub-image: %dx%d %v", got.W, got.H, got.Pix[:3])
	}
}

func synthNRGBA(w, h int) *image.NRGBA {
	s := synth(w, h)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		copy(img.Pix[4*i:], s.Pix[3*i:3*i+3])
		img.Pix[4*i+3] = 255
	}
	return img
}

func TestDecodeJPEG(t *testing.T) {
	dir := t.TempDir()
	// A smooth colour image, odd-sized so that the 4:2:0 chroma planes
	// have a half-covered last row and column.
	const w, h = 37, 23
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			src.SetNRGBA(x, y, color.NRGBA{uint8(60 + 4*x), uint8(200 - 5*y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, dir, "photo.jpg", buf.Bytes())
	got, err := Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.W != w || got.H != h {
		t.Fatalf("%dx%d, want %dx%d", got.W, got.H, w, h)
	}
	worst := 0
	for i := range w * h {
		for c := range 3 {
			d := int(got.Pix[3*i+c]) - int(src.Pix[4*i+c])
			worst = max(worst, d, -d)
		}
	}
	if worst > 4 {
		t.Errorf("decoded JPEG differs from its source by up to %d levels", worst)
	}
	// The extension does not matter: the contents do.
	named := writeFile(t, dir, "photo.png", buf.Bytes())
	if _, err := Decode(named); err != nil {
		t.Errorf("JPEG named .png: %v", err)
	}
	// Grayscale JPEG.
	g := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range g.Pix {
		g.Pix[i] = 77
	}
	buf.Reset()
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	got, err = Decode(writeFile(t, dir, "gray.jpg", buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got.Pix {
		if v != 77 {
			t.Fatalf("gray JPEG sample %d = %d, want 77", i, v)
		}
	}
}

// libjpeg's fancy upsampling, by hand.
func TestFancyUpsampling(t *testing.T) {
	out := make([]uint8, 6)
	h2v1([]uint8{0, 100, 200}, out)
	// ends copied; inside 3/4 nearer + 1/4 farther, +1 or +2 before >>2
	if want := []uint8{0, 25, 75, 125, 175, 200}; !bytes.Equal(out, want) {
		t.Errorf("h2v1 = %v, want %v", out, want)
	}
	// 2x2 plane to 4x4: rows (0, 160) and (80, 240).
	plane := []uint8{0, 160, 80, 240}
	got := h2v2(plane, 2, 2, 2, 4, 4)
	want := []uint8{
		0, 40, 120, 160, // row 0: column sums 0, 640 (the row above is itself)
		20, 60, 140, 180, // row 1: sums 80, 720
		60, 100, 180, 220, // row 2: sums 240, 880
		80, 120, 200, 240, // row 3: sums 320, 960 (the row below is itself)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("h2v2 = %v, want %v", got, want)
	}
}

func TestLoadBatch(t *testing.T) {
	dir := t.TempDir()
	a := writePNG(t, dir, "a.png", tiny())
	b := writePNG(t, dir, "b.png", synthNRGBA(9, 7))
	p, _ := Preset("raw")
	got, err := Load([]string{a, b, a}, p, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3*3*2*2 {
		t.Fatalf("%d values, want %d", len(got), 3*3*2*2)
	}
	want := []float32{0, 10, 255, 1, 128, 20, 255, 254, 255, 30, 255, 77}
	for i := range want {
		if got[i] != want[i] || got[24+i] != want[i] {
			t.Fatalf("image 0 or 2 value %d: %v, %v; want %v", i, got[i], got[24+i], want[i])
		}
	}
	rgb := synth(9, 7)
	wantB := make([]float32, 12)
	p.apply(rgb, 2, wantB)
	for i := range wantB {
		if got[12+i] != wantB[i] {
			t.Fatalf("image 1 value %d: %v, want %v", i, got[12+i], wantB[i])
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	good := writePNG(t, dir, "good.png", tiny())
	var gif bytes.Buffer
	gif.WriteString("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	p, _ := Preset("torch")
	for _, c := range []struct {
		name  string
		paths []string
		ch    int
		size  int
		want  []string
	}{
		{"missing", []string{good, filepath.Join(dir, "nope.png")}, 3, 224, []string{"nope.png", "no such file"}},
		{"broken png", []string{writeFile(t, dir, "broken.png", append(append([]byte{}, pngMagic...), "garbage"...))}, 3, 224, []string{"broken.png", "decoding PNG"}},
		{"broken jpeg", []string{writeFile(t, dir, "broken.jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 0, 3, 1})}, 3, 224, []string{"broken.jpg", "decoding JPEG"}},
		{"gif", []string{writeFile(t, dir, "anim.gif", gif.Bytes())}, 3, 224, []string{"anim.gif", "GIF", "PNG or JPEG"}},
		{"text", []string{writeFile(t, dir, "notes.txt", []byte("hello"))}, 3, 224, []string{"notes.txt", "unsupported image format"}},
		{"empty", []string{writeFile(t, dir, "empty.png", nil)}, 3, 224, []string{"empty.png", "empty file"}},
		{"directory", []string{dir}, 3, 224, []string{filepath.Base(dir)}},
		{"four channels", []string{good}, 4, 224, []string{"4 input channels", "1 (grayscale)"}},
		{"size", []string{good}, 3, 0, []string{"input size 0"}},
		{"no images", nil, 3, 224, []string{"no images"}},
	} {
		_, err := Load(c.paths, p, c.ch, c.size)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
	if _, err := Load([]string{good}, Preprocess{Name: "zero", Std: [3]float32{1, 1, 1}}, 3, 2); err == nil {
		t.Error("a preprocessing with Div 0 was accepted")
	}
}

func TestApply(t *testing.T) {
	p, _ := Preset("tf")
	dst := make([]float32, 3*4*4)
	if err := p.Apply(synth(10, 6), 4, dst); err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(synth(10, 6), 4, dst[:5]); err == nil {
		t.Error("Apply accepted a short destination")
	}
}
