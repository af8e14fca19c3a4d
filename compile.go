package resc

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"

	"github.com/resc-dev/resc/ir"
	"github.com/resc-dev/resc/weights"
)

// MaxLevel is the highest optimisation level, resc build's default: fold
// batch norms, fuse residual adds and activations, merge paths.
const MaxLevel = ir.MaxLevel

// CompileOptions choose the optimisations and the weights of a compile.
type CompileOptions struct {
	// Level is the optimisation level, 0 (the graph as written) to
	// MaxLevel; 1 drops identities and folds zero padding.
	Level int
	// Disable names passes to skip (see ir.PassNames).
	Disable []string
	// VerifyEach runs the IR verifier after every pass, not only at the
	// end (debugging).
	VerifyEach bool

	// WeightsFile loads the weights from a file in any format resc reads
	// (told by content: safetensors, a PyTorch checkpoint from torch.save,
	// the initializers of an ONNX model), keyed by reference names. A
	// safetensors file is checked whole at Compile but then read tensor by
	// tensor whenever a backend asks (weights.Open), not held in memory.
	// Weights gives them directly instead.
	// With neither, they are initialised deterministically from Seed as
	// the reference implementation initialises them.
	WeightsFile string
	Weights     map[string][]float32
	Seed        uint64
	// Once generates initial weights while one backend consumes them
	// (the lowest memory for a large model): the Compiled may then be
	// used once, by WriteONNX, ONNX, Native or Weights; a second use is an
	// error. It has no effect on loaded weights.
	Once bool
}

// A Compiled model is an optimised graph with its weights, ready for a
// backend. Unless compiled with Once, it may be used any number of times,
// concurrently.
type Compiled struct {
	model   *Model
	graph   *ir.Graph
	written ir.Stats
	files   []string

	mu      sync.Mutex
	weights weights.Source // nil until first used, with Once
	once    bool           // weights are streamed from seed on first use
	used    bool
	seed    uint64
}

// Compile loads or initialises the model's weights and optimises its graph.
// Loaded weights are matched against the graph as written; the passes
// record how the optimised graph's parameters derive from them.
func (m *Model) Compile(opts CompileOptions) (*Compiled, error) {
	if opts.WeightsFile != "" && opts.Weights != nil {
		return nil, &OptionError{Option: "Weights", Err: errors.New("WeightsFile and Weights exclude each other")}
	}
	g := m.Graph()
	c := &Compiled{model: m, graph: g, written: g.Stats(), files: m.Files()}
	switch {
	case opts.WeightsFile != "":
		w, err := weights.Open(g, opts.WeightsFile)
		if err != nil {
			return nil, err
		}
		c.weights = w
		c.files = append(c.files, opts.WeightsFile)
	case opts.Weights != nil:
		if err := weights.Check(g, opts.Weights); err != nil {
			return nil, err
		}
		c.weights = weights.Set(opts.Weights)
	}
	err := ir.RunPipeline(g, ir.Options{Level: opts.Level, Disable: opts.Disable, VerifyEach: opts.VerifyEach})
	if err != nil {
		return nil, err
	}
	switch {
	case c.weights != nil:
	case opts.Once:
		c.once, c.seed = true, opts.Seed
	default:
		c.weights = weights.Init(g, opts.Seed)
	}
	return c, nil
}

// source is the weights for one use: with Once, a stream started now
// (not at Compile, so that an unused Compiled holds no goroutines), once.
func (c *Compiled) source() (weights.Source, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.once {
		return c.weights, nil
	}
	if c.used {
		return nil, errors.New("resc: a model compiled with Once has been used already; compile it again")
	}
	c.used = true
	return weights.Stream(c.graph, c.seed), nil
}

// Model is the model c was compiled from.
func (c *Compiled) Model() *Model { return c.model }

// Graph is the optimised graph, for programs that work on the IR. It must
// not be changed.
func (c *Compiled) Graph() *ir.Graph { return c.graph }

// Weights are the values of the optimised graph's source parameters
// (weights.Resolve derives the folded ones). With Once, this is the one use.
func (c *Compiled) Weights() (weights.Source, error) { return c.source() }

// WrittenStats are the parameter and MAC totals of the graph as written,
// before the passes folded batch norms.
func (c *Compiled) WrittenStats() ir.Stats { return c.written }

// Files lists the files the compile read: the sources and the weights.
func (c *Compiled) Files() []string { return append([]string(nil), c.files...) }

func (c *Compiled) sourceSHA256() string {
	sum := sha256.Sum256([]byte(c.model.prog.Root.Src.Text))
	return hex.EncodeToString(sum[:])
}
