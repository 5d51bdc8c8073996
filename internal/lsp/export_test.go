package lsp

// AnalyseNow runs a whole analysis at once and publishes it (tests that
// schedule analyses themselves).
func (s *Server) AnalyseNow() { s.analyse() }
