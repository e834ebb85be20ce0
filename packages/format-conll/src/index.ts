export { conll2003, PYTHON_DOCSTART, SPACY_DOCSTART } from './conll2003.js';
export { exactTags, type LabelSpan, pythonTags, type TaggedTokens } from './tagging.js';
export {
  codePointIndex,
  TreebankAlignmentError,
  type TreebankToken,
  toCodePointOffsets,
  treebankTokens,
  treebankWords,
} from './treebank-tokenizer.js';
