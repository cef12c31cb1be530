// Pod names as Kubernetes makes them for a Deployment: `<deployment>-<template hash>-<5 random>`,
// e.g. `web-7d9c5b6f4-x2x9k`. Pure: the random source is a parameter.
//
// Ported from k8s.io/apimachinery/pkg/util/rand (String, SafeEncodeString) and
// k8s.io/apiserver/pkg/storage/names (SimpleNameGenerator): the alphabet has no vowels (no
// accidental words) and none of the look-alikes 0/1/3 (no "bad words" by leetspeak either).

/** utilrand's alphabet: consonants and digits that cannot spell words. */
export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Length of the random suffix the API server appends to a generateName. */
export const RANDOM_SUFFIX_LENGTH = 5;

/** DNS-1123 label limit (63) minus the suffix: longer bases are cut, as upstream does. */
export const MAX_GENERATED_BASE_LENGTH = 63 - RANDOM_SUFFIX_LENGTH;

/** A random source returning floats in [0, 1), like Math.random (which the core never calls). */
export type RandomSource = () => number;

/** n characters from NAME_ALPHABET (utilrand.String). */
export function randomAlphanumeric(n: number, random: RandomSource): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    // Clamp guards a source that returns exactly 1.
    const index = Math.min(NAME_ALPHABET.length - 1, Math.floor(random() * NAME_ALPHABET.length));
    out += NAME_ALPHABET[index];
  }
  return out;
}

/** rand.SafeEncodeString: maps each character of s onto NAME_ALPHABET by its code, so a hash
 *  rendered in decimal becomes a name part that cannot spell words. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += NAME_ALPHABET[s.charCodeAt(i) % NAME_ALPHABET.length];
  return out;
}

/** A 32-bit template hash as Kubernetes renders pod-template-hash:
 *  rand.SafeEncodeString(fmt.Sprint(hasher.Sum32())). */
export function encodeTemplateHash(hash32: number): string {
  return safeEncodeString(String(hash32 >>> 0));
}

/** SimpleNameGenerator.GenerateName: base cut to 58 characters, then 5 random characters. */
export function generateName(base: string, random: RandomSource): string {
  const cut = base.length > MAX_GENERATED_BASE_LENGTH ? base.slice(0, MAX_GENERATED_BASE_LENGTH) : base;
  return cut + randomAlphanumeric(RANDOM_SUFFIX_LENGTH, random);
}

/** The ReplicaSet name Kubernetes would give this revision: `<deployment>-<hash>`. skiff has no
 *  ReplicaSet objects, but uses the name in messages so they read as on Kubernetes. */
export function replicaSetName(deploymentName: string, templateHash: string): string {
  return `${deploymentName}-${templateHash}`;
}

/** A Deployment's pod name: the ReplicaSet's generateName (`<rs>-`) plus the random suffix. */
export function generatePodName(deploymentName: string, templateHash: string, random: RandomSource): string {
  return generateName(`${replicaSetName(deploymentName, templateHash)}-`, random);
}
