package imageprep

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"

	"github.com/resc-dev/resc/internal/userfile"
)

// RGB is an 8-bit RGB image: Pix holds W×H pixels row by row, three bytes
// (R, G, B) each.
type RGB struct {
	W, H int
	Pix  []uint8
}

func newRGB(w, h int) *RGB { return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)} }

// maxPixels bounds the images Decode accepts, as PIL's decompression-bomb
// check does (twice Image.MAX_IMAGE_PIXELS).
const maxPixels = 2 * 89478485

// MaxFileBytes bounds an image file; larger ones are refused unread.
const MaxFileBytes = 256 << 20

// DecodeBudget bounds the memory that decoding may take: the decoder's
// image, its working buffers and the 8-bit RGB copy, estimated from the
// header before any pixel is decoded (decodeCost). An image that needs
// more is refused; Load decodes in parallel only as many images as fit
// in it together. Pixels alone are no measure: a 13000x13000 16-bit RGBA
// PNG of 1.3 MB passes maxPixels and takes 1.8 GB.
const DecodeBudget = 1 << 30

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
)

// Decode reads a PNG or JPEG file as 8-bit RGB. The format is told by the
// file's contents; errors name the file.
func Decode(path string) (*RGB, error) {
	h, err := openImage(path, DecodeBudget)
	if err != nil {
		return nil, err
	}
	defer h.close()
	return h.decode()
}

// An opened image file whose header has been read and checked.
type opened struct {
	path, format string
	f            *os.File
	r            *bufio.Reader // at the start of the file
	cost         int64         // decodeCost
}

// openImage opens a user's image file, tells its format, reads its header
// and refuses it if decoding it would take more than budget bytes.
func openImage(path string, budget int64) (*opened, error) {
	f, _, err := userfile.Open(path, MaxFileBytes, "image files")
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("imageprep: cannot read %s: %w", path, pe.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("imageprep: %w", err)
	}
	h := &opened{path: path, f: f, r: bufio.NewReaderSize(f, 64<<10)}
	if err := h.header(budget); err != nil {
		f.Close()
		return nil, err
	}
	return h, nil
}

func (h *opened) close() { h.f.Close() }

func (h *opened) header(budget int64) error {
	magic, _ := h.r.Peek(16)
	var config func(io.Reader) (image.Config, error)
	switch {
	case bytes.HasPrefix(magic, pngMagic):
		h.format, config = "PNG", png.DecodeConfig
	case bytes.HasPrefix(magic, jpegMagic):
		h.format, config = "JPEG", jpeg.DecodeConfig
	default:
		what := "an unsupported image format"
		if len(magic) == 0 {
			what = "an empty file"
		} else if f := sniff(magic); f != "" {
			what = f + ", an unsupported image format"
		}
		return fmt.Errorf("imageprep: %s: %s; images must be PNG or JPEG", h.path, what)
	}
	cfg, err := config(h.r)
	if err != nil {
		return fmt.Errorf("imageprep: %s: decoding %s: %w", h.path, h.format, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return fmt.Errorf("imageprep: %s: empty %dx%d image", h.path, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return fmt.Errorf("imageprep: %s: %dx%d image is larger than %d pixels", h.path, cfg.Width, cfg.Height, maxPixels)
	}
	if h.cost = decodeCost(h.format, cfg); h.cost > budget {
		return fmt.Errorf("imageprep: %s: decoding this %dx%d %s would take up to %s, more than the %s budget for decoded images",
			h.path, cfg.Width, cfg.Height, h.format, userfile.Bytes(h.cost), userfile.Bytes(budget))
	}
	if _, err := h.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("imageprep: %w", err)
	}
	h.r.Reset(h.f)
	return nil
}

// decode decodes the whole image, streaming the file.
func (h *opened) decode() (*RGB, error) {
	decode := png.Decode
	if h.format == "JPEG" {
		decode = jpeg.Decode
	}
	img, err := decode(h.r)
	if err != nil {
		return nil, fmt.Errorf("imageprep: %s: decoding %s: %w", h.path, h.format, err)
	}
	return FromImage(img), nil
}

// decodeCost is an upper bound of the bytes that decoding an image takes,
// from its header: the decoder's image (twice for an interlaced PNG, whose
// passes are decoded apart and then merged), a progressive JPEG's
// coefficients (an int32 per sample of every component, at full
// resolution for 4:4:4, over whole 16x16 MCUs), and the RGB copy.
// TestDecodeCostBounds measures the decoders against it.
func decodeCost(format string, cfg image.Config) int64 {
	// What does not grow with the pixels: tables, zlib's window, rows.
	const overhead = 256 << 10
	w, h := int64(cfg.Width), int64(cfg.Height)
	var perPixel int64
	if format == "PNG" {
		_, paletted := cfg.ColorModel.(color.Palette)
		switch {
		case paletted, cfg.ColorModel == color.GrayModel:
			perPixel = 1
		case cfg.ColorModel == color.Gray16Model:
			perPixel = 2
		case cfg.ColorModel == color.RGBAModel, cfg.ColorModel == color.NRGBAModel:
			perPixel = 4
		default: // RGBA64, NRGBA64
			perPixel = 8
		}
		return w*h*(2*perPixel+3) + overhead
	}
	switch cfg.ColorModel {
	case color.GrayModel:
		perPixel = 1 + 4
	case color.CMYKModel: // four planes, four coefficients, the CMYK image
		perPixel = 4 + 16 + 4
	default: // YCbCr: up to three full planes and their coefficients
		perPixel = 3 + 12
	}
	mw, mh := (w+15)/16*16, (h+15)/16*16
	return mw*mh*perPixel + w*h*3 + overhead
}

// sniff names a few common image formats that Decode does not read.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "GIF"
	case bytes.HasPrefix(b, []byte("BM")):
		return "BMP"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "WebP"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "TIFF"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return "HEIF/AVIF"
	}
	return ""
}

// FromImage converts any image to 8-bit RGB as PIL's convert("RGB") does:
// gray is replicated, alpha dropped (keeping the straight colour), 16-bit
// samples reduced to their high byte, palettes looked up, CMYK converted.
func FromImage(img image.Image) *RGB {
	b := img.Bounds()
	out := newRGB(b.Dx(), b.Dy())
	i := 0
	put := func(r, g, bl uint8) {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = r, g, bl
		i += 3
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				v := m.GrayAt(x, y).Y
				put(v, v, v)
			}
		}
	case *image.Gray16:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				v := uint8(m.Gray16At(x, y).Y >> 8)
				put(v, v, v)
			}
		}
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.NRGBAAt(x, y)
				put(c.R, c.G, c.B)
			}
		}
	case *image.NRGBA64:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.NRGBA64At(x, y)
				put(uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8))
			}
		}
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.RGBAAt(x, y)
				if c.A != 0xff {
					n := color.NRGBAModel.Convert(c).(color.NRGBA)
					put(n.R, n.G, n.B)
					continue
				}
				put(c.R, c.G, c.B)
			}
		}
	case *image.RGBA64:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.RGBA64At(x, y)
				if c.A != 0xffff {
					n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
					put(uint8(n.R>>8), uint8(n.G>>8), uint8(n.B>>8))
					continue
				}
				put(uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8))
			}
		}
	case *image.Paletted:
		pal := make([][3]uint8, len(m.Palette))
		for j, c := range m.Palette {
			pal[j] = straight(c)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				j := int(m.ColorIndexAt(x, y))
				if j < len(pal) {
					put(pal[j][0], pal[j][1], pal[j][2])
				} else {
					put(0, 0, 0) // an index past the palette, as image.Paletted.At reads it
				}
			}
		}
	case *image.YCbCr:
		if rgb, ok := ycbcrToRGB(m); ok {
			return rgb
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.YCbCrAt(x, y)
				put(color.YCbCrToRGB(c.Y, c.Cb, c.Cr))
			}
		}
	case *image.CMYK:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.CMYKAt(x, y)
				put(color.CMYKToRGB(c.C, c.M, c.Y, c.K))
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := straight(img.At(x, y))
				put(c[0], c[1], c[2])
			}
		}
	}
	return out
}

// straight is a colour's 8-bit straight (non-premultiplied) RGB.
func straight(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.NRGBA64:
		return [3]uint8{uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)}
	case color.Gray:
		return [3]uint8{c.Y, c.Y, c.Y}
	case color.Gray16:
		v := uint8(c.Y >> 8)
		return [3]uint8{v, v, v}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}
