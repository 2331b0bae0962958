"""Interview feedback: the rubric, the evidence an interview leaves, the evaluator that asks a
model (Gemini, or the offline server's deterministic judge) and checks its answer."""
