/** Flip the lowest bit of one hex or base64 character, keeping the value well formed. */
export const flipChar = (s: string, at = 0): string => {
  const alphabet = /^[0-9a-f]+$/.test(s)
    ? '0123456789abcdef'
    : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const i = alphabet.indexOf(s[at]!);
  return s.slice(0, at) + alphabet[i ^ 1] + s.slice(at + 1);
};
