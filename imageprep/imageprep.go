// Package imageprep turns image files into a model's input batch: it
// decodes PNG and JPEG files, resizes and crops them the way the reference
// implementations' evaluation pipelines do, and normalises them as each
// family of models expects.
//
// # Decoding
//
// PNG and JPEG, with the standard library's decoders only; the format is
// told by the file's first bytes, not its name. Every image becomes 8-bit
// RGB, as PIL's Image.convert("RGB") makes it: grayscale is copied to the
// three channels, an alpha channel is dropped (the straight, not
// premultiplied, colour is kept), palettes are looked up, 16-bit samples
// keep their high byte and CMYK JPEGs are converted with Go's CMYK model.
// EXIF orientation is not applied, as neither PIL's Image.open nor the
// references apply it. JPEGs are decoded by image/jpeg, but their YCbCr is
// converted as libjpeg (and so PIL) converts it: libjpeg's fixed-point
// colour tables and its "fancy" triangle-filter chroma upsampling for 4:2:2
// and 4:2:0 (Go's own replicates chroma pixels, tens of levels off along
// colour edges). Go's IDCT differs from libjpeg's, so a few per cent of
// samples still differ from PIL's by 1–3 levels; PNGs decode exactly.
//
// # Geometry
//
// Resizing works on the 8-bit image and rounds back to 8 bits after each
// pass, as PIL does, so that the numbers match the references' pipelines,
// which resize PIL images:
//
//   - Bilinear is PIL's Image.BILINEAR resampling (checked bit for bit against Pillow 9.4): a
//     separable triangle filter, horizontal pass then vertical, in PIL's
//     22-bit fixed point. When downscaling, the filter is stretched by the
//     scale factor, so it averages every source pixel under an output pixel
//     (antialiasing), as PIL does and torchvision's transforms.Resize on a
//     PIL image therefore does.
//   - Bicubic is PIL's Image.BICUBIC (checked bit for bit against Pillow
//     9.4): the same separable passes and fixed point with Keys's cubic
//     kernel (a = -0.5, support 2, stretched when downscaling), each pass
//     clipped to 0..255. torchvision's EfficientNets use it.
//   - Nearest is PIL's Image.NEAREST: output pixel x takes source pixel
//     floor((x+0.5)*in/out).
//
// The resize modes are:
//
//   - ShorterCrop (torchvision, timm): the shorter side is resized to
//     round(S*ResizeSize/CropSize), half up (256/224: 256 for S = 224; a
//     model's own pair for the torchvision presets of torchvision.go), with
//     the longer side scaled to keep the aspect ratio, truncated as
//     torchvision's Resize(int) does, then the centre S×S is cropped, its
//     offset rounded half to even as torchvision's CenterCrop (Python's
//     round) does.
//   - Stretch (Keras, classification_models, CIFAR): the image is resized to
//     S×S directly, ignoring its aspect ratio.
//
// # Normalisation
//
// With x a 0–255 sample in float32, channel c of the output is
// ((x / Div) - Mean[c]) / Std[c], computed in float32 in that order, which
// reproduces torchvision's ToTensor+Normalize and Keras's preprocess_input
// to the bit. Mean and Std are in output channel order (BGR when BGR is set).
package imageprep

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Resize says how an image is brought to the model's S×S input.
type Resize uint8

const (
	// ShorterCrop resizes the shorter side to round(S*ResizeSize/CropSize)
	// (256/224 unless set), keeping the aspect ratio, and crops the centre
	// S×S (torchvision, timm).
	ShorterCrop Resize = iota
	// Stretch resizes to S×S directly (Keras's load_img(target_size=...),
	// classification_models, CIFAR).
	Stretch
)

// Interp is a resampling filter.
type Interp uint8

const (
	// Bilinear is PIL's BILINEAR, antialiased when downscaling.
	Bilinear Interp = iota
	// Nearest is PIL's NEAREST.
	Nearest
	// Bicubic is PIL's BICUBIC, antialiased when downscaling.
	Bicubic
)

func (i Interp) String() string {
	switch i {
	case Nearest:
		return "nearest"
	case Bicubic:
		return "bicubic"
	}
	return "bilinear"
}

// Preprocess is how one family of models prepares an image.
type Preprocess struct {
	Name   string
	Resize Resize
	Interp Interp
	BGR    bool       // output channels in B, G, R order (Keras "caffe")
	Div    float32    // each 0–255 sample is divided by Div first,
	Mean   [3]float32 // then Mean[c] is subtracted,
	Std    [3]float32 // then the result divided by Std[c]
	// ResizeSize and CropSize are the reference's resize and crop for
	// ShorterCrop (torchvision's Resize(ResizeSize), CenterCrop(CropSize)):
	// an input of size S is cropped from a shorter side of
	// round(S*ResizeSize/CropSize). Both zero means 256 and 224.
	ResizeSize, CropSize int
}

// The presets, by name. Each reproduces its reference's evaluation
// pipeline:
//
//   - torch: torchvision and timm ImageNet models: transforms.Resize(256)
//     (bilinear, on a PIL image), CenterCrop(224), ToTensor (x/255),
//     Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)).
//     For an input size S other than 224 the resize is round(S*256/224).
//   - caffe: Keras ResNet50/101/152: load_img(target_size=(S, S)) (PIL
//     nearest, Keras's default) and preprocess_input's "caffe" mode: RGB to
//     BGR, subtract (103.939, 116.779, 123.68), no scaling.
//   - tf: Keras ResNet50V2/101V2/152V2: load_img as for caffe, then
//     preprocess_input's "tf" mode: x/127.5 - 1.
//   - raw: classification_models (qubvel) ResNet/ResNeXt/SE-nets, whose
//     normalisation is inside the model (bn_data): RGB 0–255 as float32. Their
//     examples resize straight to S×S (with skimage); this preset resizes
//     to S×S with PIL-style antialiased bilinear.
//   - cifar: the CIFAR-10 ResNets and WRNs: resized to S×S (a no-op for
//     32×32 CIFAR images) with antialiased bilinear, then x/255 normalised
//     with the CIFAR-10 training set's per-channel mean (0.4914, 0.4822,
//     0.4465) and std (0.2470, 0.2435, 0.2616), the constants the common
//     PyTorch reproductions use (the paper's "per-pixel mean subtraction"
//     needs a mean image that is not shipped with any weights).
//
// torchvision.go adds one preset per torchvision model whose DEFAULT
// weights use another resize, filter or normalisation than "torch" (named
// after the model): its resize and crop sizes, scaled in proportion for an
// input size S other than its crop (round(S*resize/crop), as "torch" does
// with 256/224).
var presets = map[string]Preprocess{
	"torch": {
		Resize: ShorterCrop, Interp: Bilinear, Div: 255,
		Mean: [3]float32{0.485, 0.456, 0.406},
		Std:  [3]float32{0.229, 0.224, 0.225},
	},
	"caffe": {
		Resize: Stretch, Interp: Nearest, BGR: true, Div: 1,
		Mean: [3]float32{103.939, 116.779, 123.68},
		Std:  [3]float32{1, 1, 1},
	},
	"tf": {
		Resize: Stretch, Interp: Nearest, Div: 127.5,
		Mean: [3]float32{1, 1, 1},
		Std:  [3]float32{1, 1, 1},
	},
	"raw": {
		Resize: Stretch, Interp: Bilinear, Div: 1,
		Std: [3]float32{1, 1, 1},
	},
	"cifar": {
		Resize: Stretch, Interp: Bilinear, Div: 255,
		Mean: [3]float32{0.4914, 0.4822, 0.4465},
		Std:  [3]float32{0.2470, 0.2435, 0.2616},
	},
}

// Presets lists the family presets' names (ModelPresets lists those of
// single torchvision models).
func Presets() []string { return []string{"caffe", "cifar", "raw", "tf", "torch"} }

// Preset returns the named preset: "torch", "caffe", "tf", "raw" or
// "cifar", or a torchvision model's own (ModelPresets: "efficientnet_b3"
// resizes to 320 with bicubic and crops 300).
func Preset(name string) (Preprocess, error) {
	if p, ok := modelPreset(name); ok {
		return p, nil
	}
	p, ok := presets[name]
	if !ok {
		return Preprocess{}, fmt.Errorf("imageprep: unknown preprocessing %q (want one of %s, or a torchvision model's: %s)", name, strings.Join(Presets(), ", "), strings.Join(ModelPresets(), ", "))
	}
	p.Name = name
	return p, nil
}

// PresetFor names the preset for a model, from its name (a standard
// library model's name, e.g. ir.Graph.Name) and its naming style
// (ir.Graph.Naming, "torch" or "keras"):
//
//   - keras_*v2 (keras_resnet50v2, ...): "tf"
//   - keras_* (keras_resnet50, keras_resnet101, keras_resnet152): "caffe"
//   - cm_* (classification_models): "raw"
//   - cifar_*, wrn_*: "cifar"
//   - the torchvision models whose DEFAULT weights have a transform of
//     their own (RegNet, MobileNet, EfficientNet, ConvNeXt; ModelPresets):
//     the model's name, its preset
//   - any other name: "caffe" for a network with Keras naming (the Keras
//     applications' default for ResNet v1), else "torch".
//
// The name is matched case-insensitively.
func PresetFor(modelName, naming string) string {
	n := strings.ToLower(modelName)
	if _, ok := torchvisionTransforms[n]; ok {
		return n
	}
	switch {
	case strings.HasPrefix(n, "keras_") && strings.HasSuffix(n, "v2"):
		return "tf"
	case strings.HasPrefix(n, "keras_"):
		return "caffe"
	case strings.HasPrefix(n, "cm_"):
		return "raw"
	case strings.HasPrefix(n, "cifar_"), strings.HasPrefix(n, "wrn_"):
		return "cifar"
	case naming == "keras":
		return "caffe"
	}
	return "torch"
}

func (p *Preprocess) check() error {
	if p.Resize > Stretch || p.Interp > Bicubic {
		return fmt.Errorf("imageprep: preprocessing %q: unknown resize mode or filter", p.Name)
	}
	if p.Div == 0 || p.Std[0] == 0 || p.Std[1] == 0 || p.Std[2] == 0 {
		return fmt.Errorf("imageprep: preprocessing %q: Div and Std must be non-zero", p.Name)
	}
	// The crop must fit in the resized image, and S*ResizeSize must not
	// overflow.
	const maxSide = 1 << 16
	if (p.ResizeSize != 0 || p.CropSize != 0) && (p.CropSize < 1 || p.ResizeSize < p.CropSize || p.ResizeSize > maxSide) {
		return fmt.Errorf("imageprep: preprocessing %q: resize size %d and crop size %d: want 1 <= crop <= resize <= %d", p.Name, p.ResizeSize, p.CropSize, maxSide)
	}
	return nil
}

// ResizeShorter is the length the shorter side is resized to before the
// centre crop for input size S in ShorterCrop mode: round(S*256/224), 256
// for S = 224.
func ResizeShorter(size int) int { return (size*256 + 112) / 224 }

// ShorterSide is the length p resizes the shorter side to before the
// centre crop for input size S in ShorterCrop mode: ResizeSize at S =
// CropSize, in proportion at other sizes, rounded half up
// (round(S*256/224) without a pair).
func (p Preprocess) ShorterSide(size int) int {
	if p.ResizeSize == 0 && p.CropSize == 0 {
		return ResizeShorter(size)
	}
	return (size*p.ResizeSize + p.CropSize/2) / p.CropSize
}

// Load decodes the image files and preprocesses each into a channels×S×S
// input, returning the batch as NCHW float32 data of shape
// [len(paths), channels, size, size]. A 3-channel model gets RGB (or BGR)
// images, a 1-channel model grayscale ones (see Gray). Errors name the
// file.
func Load(paths []string, p Preprocess, channels, size int) ([]float32, error) {
	if len(paths) == 0 {
		return nil, errors.New("imageprep: no images")
	}
	if channels != 3 && channels != 1 {
		return nil, fmt.Errorf("imageprep: the model takes %d input channels; images are preprocessed to 3 (RGB) or 1 (grayscale)", channels)
	}
	if size < 1 {
		return nil, fmt.Errorf("imageprep: input size %d is not positive", size)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	per := channels * size * size
	out := make([]float32, len(paths)*per)
	errs := make([]error, len(paths))
	workers := min(runtime.GOMAXPROCS(0), len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	mem := newBudget(loadBudget)
	for range workers {
		wg.Go(func() {
			for i := range next {
				errs[i] = loadOne(paths[i], mem, func(img *RGB) {
					if channels == 1 {
						p.applyGray(img, size, out[i*per:(i+1)*per])
						return
					}
					p.apply(img, size, out[i*per:(i+1)*per])
				})
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Apply preprocesses one decoded image into dst, which must hold C×S×S
// values (CHW) for C = 3 (RGB) or 1 (grayscale, as Load makes it).
func (p Preprocess) Apply(img *RGB, size int, dst []float32) error {
	if size < 1 {
		return fmt.Errorf("imageprep: input size %d is not positive", size)
	}
	if len(dst) != 3*size*size && len(dst) != size*size {
		return fmt.Errorf("imageprep: %d values for a 3x%dx%d or 1x%dx%d input", len(dst), size, size, size, size)
	}
	if err := p.check(); err != nil {
		return err
	}
	if len(dst) == size*size {
		p.applyGray(img, size, dst)
		return nil
	}
	p.apply(img, size, dst)
	return nil
}

func (p *Preprocess) apply(img *RGB, size int, dst []float32) {
	img = p.geometry(img, size)
	p.normalize(img, dst)
}

// geometry resizes (and crops) img to size×size.
func (p *Preprocess) geometry(img *RGB, size int) *RGB {
	resize := resizeBilinear
	switch p.Interp {
	case Nearest:
		resize = resizeNearest
	case Bicubic:
		resize = resizeBicubic
	}
	if p.Resize == Stretch {
		return resize(img, size, size)
	}
	w, h := shorterSize(img.W, img.H, p.ShorterSide(size))
	img = resize(img, w, h)
	return centerCrop(img, size, size)
}

// shorterSize is torchvision's size for Resize(short): the shorter side
// becomes short and the longer int(short*long/shorter) (truncated).
func shorterSize(w, h, short int) (int, int) {
	if w <= h {
		return short, int(float64(short*h) / float64(w))
	}
	return int(float64(short*w) / float64(h)), short
}

// applyGray is apply for a 1-channel model: the resized image's luminance
// as PIL's convert("L") computes it (ITU-R 601-2: 299/1000 R + 587/1000 G
// + 114/1000 B, rounded), divided by Div, less the mean of the preset's
// three means, over the mean of its three deviations.
func (p *Preprocess) applyGray(img *RGB, size int, dst []float32) {
	img = p.geometry(img, size)
	mean := (p.Mean[0] + p.Mean[1] + p.Mean[2]) / 3
	std := (p.Std[0] + p.Std[1] + p.Std[2]) / 3
	for i := range dst {
		r, g, b := uint32(img.Pix[3*i]), uint32(img.Pix[3*i+1]), uint32(img.Pix[3*i+2])
		l := float32((r*19595 + g*38470 + b*7471 + 0x8000) >> 16)
		dst[i] = float32(float32(l/p.Div)-mean) / std
	}
}

// normalize writes img, which is S×S, into dst as CHW float32.
func (p *Preprocess) normalize(img *RGB, dst []float32) {
	n := img.W * img.H
	for c := range 3 {
		src := c
		if p.BGR {
			src = 2 - c
		}
		div, mean, std := p.Div, p.Mean[c], p.Std[c]
		out := dst[c*n : (c+1)*n]
		for i := range out {
			x := float32(img.Pix[3*i+src])
			out[i] = float32(float32(x/div)-mean) / std // explicit roundings: no fused operations
		}
	}
}

// loadBudget is the DecodeBudget that Load shares among its workers; a
// test lowers it.
var loadBudget int64 = DecodeBudget

// loadOne decodes one image within the shared budget and hands it to use.
// It runs on a worker goroutine, where a panic (a decoder's bug on a
// hostile file) would end the process past cli.Main's recover: it becomes
// this image's error instead.
func loadOne(path string, mem *budget, use func(*RGB)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("imageprep: %s: internal error while decoding: %v", path, r)
		}
	}()
	h, err := openImage(path, mem.total)
	if err != nil {
		return err
	}
	defer h.close()
	mem.acquire(h.cost)
	defer mem.release(h.cost)
	img, err := h.decode()
	if err == nil {
		use(img)
	}
	return err
}

// A budget is a count of bytes that workers take before they allocate
// and give back after: a weighted semaphore. No request exceeds the
// total (openImage refuses those), so every one is eventually granted.
type budget struct {
	mu          sync.Mutex
	cond        *sync.Cond
	total, used int64
	peak        int64 // the most ever taken at once, for tests
}

func newBudget(total int64) *budget {
	b := &budget{total: total}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) acquire(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used+n > b.total {
		b.cond.Wait()
	}
	b.used += n
	b.peak = max(b.peak, b.used)
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.cond.Broadcast()
}
