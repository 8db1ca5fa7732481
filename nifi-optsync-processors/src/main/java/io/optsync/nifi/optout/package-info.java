/**
 * The vendor-neutral opt-out model: e-mail identity, opt-out status and bounce kind, decoders for every
 * vendor encoding, and the one decision rule that says what may be propagated. No NiFi types live here.
 */
package io.optsync.nifi.optout;
