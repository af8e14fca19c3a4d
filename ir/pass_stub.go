package ir

func dropIdentity(g *Graph) int   { return 0 }
func foldPad(g *Graph) int        { return 0 }
func mergePaths(g *Graph) int     { return 0 }
func lowerBatchNorm(g *Graph) int { return 0 }
func foldConstants(g *Graph) int  { return 0 }
func foldScaleShift(g *Graph) int { return 0 }
func fuseResidual(g *Graph) int   { return 0 }
func fusePostAffine(g *Graph) int { return 0 }
func fuseActivation(g *Graph) int { return 0 }
func deadNodes(g *Graph) int      { return 0 }
