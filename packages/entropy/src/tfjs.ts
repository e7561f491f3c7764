// `@arpo/entropy/tfjs`: the tensor variant. Its types name `@tensorflow/tfjs` (an optional peer), so it lives on a
// subpath: the main entry type-checks and loads without tfjs installed.
export { tokenEntropies, type TokenEntropiesOptions } from './token-entropies.js';
