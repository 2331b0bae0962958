"""The live side: one InterviewSession per call, its manager, events, recordings, transcripts,
ICE and the agent's I/O."""
