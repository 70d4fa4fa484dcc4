/** The parts of noise-handshake (CommonJS, no types of its own) that the Noise peer uses. */
declare module 'noise-handshake' {
  export interface KeyPair {
    readonly publicKey: Buffer;
    readonly secretKey: Buffer;
  }
  export default class NoiseState {
    constructor(
      pattern: string,
      initiator: boolean,
      staticKeyPair: KeyPair | null,
      opts?: { psk?: Buffer },
    );
    readonly complete: boolean;
    /** Transport keys once complete: the initiator's tx is the responder's rx. */
    readonly tx: Buffer;
    readonly rx: Buffer;
    initialise(prologue: Buffer, remoteStatic?: Buffer): void;
    send(payload?: Buffer): Buffer;
    recv(message: Buffer): Buffer;
  }
}

declare module 'noise-handshake/cipher.js' {
  export default class CipherState {
    constructor(key: Buffer);
    encrypt(plaintext: Buffer, ad?: Buffer): Buffer;
    decrypt(ciphertext: Buffer, ad?: Buffer): Buffer;
  }
}

declare module 'noise-handshake/dh.js' {
  export function generateKeyPair(privateKey?: Buffer): import('noise-handshake').KeyPair;
}
