"""Words and questions: key terms, sentences, a question cleaned and spelled, answer
types, follow-ups, the vocabulary, common words, questions grouped."""
