/** `.hcl` files are embedded as text (esbuild `--loader:.hcl=text`; a jest transform in tests). */
declare module '*.hcl' {
  const text: string;
  export default text;
}
