// Package weights holds a model's parameter values by reference name:
// deterministic initialisation as the reference implementations do it, and
// loading from and saving to safetensors files.
package weights

// A Set maps reference parameter names (ir.Param.Name) to float32 values in
// the IR's layout (conv OIHW, fc [out,in]).
type Set map[string][]float32
