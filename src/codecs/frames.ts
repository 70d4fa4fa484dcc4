/**
 * io-ts codecs for every frame of parley/1. Unknown extra fields are accepted and ignored, as
 * the contract asks.
 */
import * as t from 'io-ts';
import { PROTOCOL_VERSION } from '../limits.js';
import type { ErrorCode } from './errors.js';
import {
  Base64,
  type Group,
  Length,
  MacHex,
  Nonce,
  PublicHex,
  Timestamp,
  Username,
  Uuid,
} from './formats.js';

// {"type":"hello","version":1,"from":"alice","to":"bob","nonce":"<32 hex>"}
// {"type":"hello","version":1,"from":"alice","to":"bob","nonce":"<32 hex>","group":"x25519"}
export const HelloFrame = t.type({
  type: t.literal('hello'),
  // Any number: a version other than 1 is `version_unsupported`, not `malformed_frame`.
  version: t.number,
  from: Username,
  to: t.union([Username, t.null]),
  nonce: Nonce,
  // The fast order's offer (initiator) or its acceptance (responder, echoing it); absent in
  // lock-step. Any string: a group we do not know is `unsupported_group`.
  group: t.union([t.string, t.undefined]),
  // parley-invite/1: 1 asks for (joiner) or confirms (inviter) an invite exchange; absent in
  // parley/1, which ignores it. Any number: only 1 means an invite (docs/PROTOCOL.md, "Invites").
  invite: t.union([t.number, t.undefined]),
});
export type HelloFrame = t.TypeOf<typeof HelloFrame>;

// {"type":"dh","group":"modp14","public":"<hex>"}
export const DhFrame = t.type({
  type: t.literal('dh'),
  // Any string: a group we do not know is `unsupported_group`, not `malformed_frame`.
  group: t.string,
  public: PublicHex,
});
export type DhFrame = t.TypeOf<typeof DhFrame>;

/** A TCP port as the wire writes it: a JSON integer, 1–65535 (no string, unlike the directory). */
export interface ListenPortBrand {
  readonly ListenPort: unique symbol;
}
export const ListenPort = t.brand(
  t.number,
  (n): n is t.Branded<number, ListenPortBrand> => Number.isInteger(n) && n >= 1 && n <= 65_535,
  'ListenPort',
);
export type ListenPort = t.TypeOf<typeof ListenPort>;

// {"port":5002,"hmac":"<64 hex>"}: the port the initiator listens on, under K_mac (listenMac).
export const ListenField = t.type({ port: ListenPort, hmac: MacHex });
export type ListenField = t.TypeOf<typeof ListenField>;

// {"type":"auth","proof":"<64 hex>"}
// {"type":"auth","proof":"<64 hex>","listen":{"port":5002,"hmac":"<64 hex>"}}   (initiator)
// A parley/1 peer that does not know `listen` ignores it (unknown fields are ignored); ours
// refuses a malformed one as `malformed_frame`.
export const AuthFrame = t.type({
  type: t.literal('auth'),
  proof: MacHex,
  listen: t.union([ListenField, t.undefined]),
});
export type AuthFrame = t.TypeOf<typeof AuthFrame>;

export const MessageHeader = t.type({
  msg_id: Uuid,
  from: Username,
  to: Username,
  timestamp: Timestamp,
  length: Length,
});
export type MessageHeader = t.TypeOf<typeof MessageHeader>;

export const Security = t.type({
  // Any string: wrong values are `inconsistent_header`, checked after the MAC.
  hmac_type: t.string,
  enc_type: t.string,
  hmac: MacHex,
});
export type Security = t.TypeOf<typeof Security>;

// {"type":"message","header":{…},"message":"<base64>","security":{…}}
export const MessageFrame = t.type({
  type: t.literal('message'),
  header: MessageHeader,
  message: Base64,
  security: Security,
});
export type MessageFrame = t.TypeOf<typeof MessageFrame>;

// {"type":"bye"}
export const ByeFrame = t.type({ type: t.literal('bye') });
export type ByeFrame = t.TypeOf<typeof ByeFrame>;

// {"type":"ack","msg_id":"<uuid>","status":"delivered","hmac":"<64 hex>"}
export const AckFrame = t.type({
  type: t.literal('ack'),
  msg_id: Uuid,
  // Any string: the MAC covers it and the initiator accepts only "delivered".
  status: t.string,
  hmac: MacHex,
});
export type AckFrame = t.TypeOf<typeof AckFrame>;

// {"type":"error","code":"auth_failed","message":"human-readable reason"}
export const ErrorFrame = t.type({
  type: t.literal('error'),
  // Any string: a peer may know codes we do not; we only ever show it as the peer's words.
  code: t.string,
  message: t.string,
});
export type ErrorFrame = t.TypeOf<typeof ErrorFrame>;

// parley-invite/1 (docs/PROTOCOL.md, "Invites"): the joiner's port, the inviter's port and
// the encrypted secret, and the joiner's confirmation, each under a MAC over TH.
// {"type":"join","port":5002,"hmac":"<64 hex>"}
export const JoinFrame = t.type({ type: t.literal('join'), port: t.number, hmac: MacHex });
export type JoinFrame = t.TypeOf<typeof JoinFrame>;

// {"type":"welcome","port":5001,"secret":"<base64 of 48 bytes>","hmac":"<64 hex>"}
export const WelcomeFrame = t.type({
  type: t.literal('welcome'),
  port: t.number,
  secret: Base64,
  hmac: MacHex,
});
export type WelcomeFrame = t.TypeOf<typeof WelcomeFrame>;

// {"type":"joined","hmac":"<64 hex>"}
export const JoinedFrame = t.type({ type: t.literal('joined'), hmac: MacHex });
export type JoinedFrame = t.TypeOf<typeof JoinedFrame>;

export const Frame = t.union([
  HelloFrame,
  DhFrame,
  AuthFrame,
  MessageFrame,
  ByeFrame,
  AckFrame,
  ErrorFrame,
  JoinFrame,
  WelcomeFrame,
  JoinedFrame,
]);
export type Frame = t.TypeOf<typeof Frame>;
export type FrameType = Frame['type'];

/** The codec of each frame type, so a line is checked against the one codec it claims. */
export const FRAME_CODECS: {
  readonly [K in FrameType]: t.Type<Extract<Frame, { type: K }>, unknown>;
} = {
  hello: HelloFrame,
  dh: DhFrame,
  auth: AuthFrame,
  message: MessageFrame,
  bye: ByeFrame,
  ack: AckFrame,
  error: ErrorFrame,
  join: JoinFrame,
  welcome: WelcomeFrame,
  joined: JoinedFrame,
};

export const isFrameType = (s: unknown): s is FrameType =>
  typeof s === 'string' && Object.hasOwn(FRAME_CODECS, s);

// The frames we write, built from branded parts only (no cast can slip an unchecked value in).

/** A hello; with `group` it offers (or accepts) the fast order, and without it is lock-step's. */
export const helloFrame = (
  from: Username,
  to: Username | null,
  nonce: Nonce,
  group?: Group,
  invite?: 1,
): HelloFrame => ({ type: 'hello', version: PROTOCOL_VERSION, from, to, nonce, group, invite });

/** parley-invite/1's frames, built from branded parts. */
export const joinFrame = (port: number, hmac: MacHex): JoinFrame => ({ type: 'join', port, hmac });
export const welcomeFrame = (port: number, secret: Base64, hmac: MacHex): WelcomeFrame => ({
  type: 'welcome',
  port,
  secret,
  hmac,
});
export const joinedFrame = (hmac: MacHex): JoinedFrame => ({ type: 'joined', hmac });

export const dhFrame = (group: Group, publicHex: PublicHex): DhFrame => ({
  type: 'dh',
  group,
  public: publicHex,
});

/** An auth; the initiator's may tell the port it listens on (`listen`, see listenMac). */
// Without it, `listen` is undefined, which JSON leaves out: the auth of lock-step, byte for byte.
export const authFrame = (proof: MacHex, listen?: ListenField): AuthFrame => ({
  type: 'auth',
  proof,
  listen,
});

export const ackFrame = (msgId: Uuid, status: 'delivered', hmac: MacHex): AckFrame => ({
  type: 'ack',
  msg_id: msgId,
  status,
  hmac,
});

export const BYE: ByeFrame = { type: 'bye' };

/** The error frame for a protocol error, with our code set (not any string). */
export const errorFrame = (code: ErrorCode, message: string): ErrorFrame => ({
  type: 'error',
  code,
  message,
});
