package io.optsync.nifi.processors;

import io.optsync.nifi.optout.AutoDetectDecoder;
import io.optsync.nifi.optout.BounceFlags;
import io.optsync.nifi.optout.BounceKind;
import io.optsync.nifi.optout.Decoding;
import io.optsync.nifi.optout.EmailAddress;
import io.optsync.nifi.optout.InvalidEmailAddressException;
import io.optsync.nifi.optout.OptOutDecoder;
import io.optsync.nifi.optout.TextValues;
import org.apache.nifi.serialization.record.Record;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the e-mail identity, the opt-out status and the bounce kind of one record. Not thread-safe (it caches
 * auto-detect decoders by field name): one instance per FlowFile.
 */
final class OptOutRecordDecoder {

    /**
     * @param optOutField where the opt-out value is
     * @param emailField where the e-mail address is
     * @param decoder the source encoding's decoder, or {@code null} to auto-detect from the field name
     * @param hardBounceField where a hard-bounce indicator is, or {@code null}
     * @param softBounceField where a soft-bounce indicator is, or {@code null}
     * @param acceptInternationalized whether addresses with non-ASCII characters are accepted
     */
    record Settings(FieldSelector optOutField, FieldSelector emailField, OptOutDecoder decoder,
                    FieldSelector hardBounceField, FieldSelector softBounceField, boolean acceptInternationalized) {
    }

    private static final BounceKind[] BOUNCE_KINDS = {BounceKind.HARD, BounceKind.SOFT};

    private final Settings settings;
    private final Map<String, OptOutDecoder> autoDetected = new HashMap<>();

    OptOutRecordDecoder(final Settings settings) {
        this.settings = settings;
    }

    RecordVerdict decode(final Record record) {
        final FieldSelector.Selection emailSelection = settings.emailField().select(record);
        final Object emailValue = emailSelection.value();
        if (emailSelection.isMultiple()) {
            return failure("the e-mail field selects " + emailSelection.values().size() + " values; select exactly one",
                    settings.emailField(), emailSelection.values());
        }
        if (emailValue == null && !settings.emailField().existsIn(record)) {
            return failure("the records have no field " + settings.emailField().path() + "; check E-mail Field", settings.emailField(), null);
        }
        if (emailValue == null || emailValue instanceof CharSequence text && TextValues.strip(text.toString()).isEmpty()) {
            return new RecordVerdict.NoAddress(); // a Contact with no address: nothing to sync
        }
        if (!(emailValue instanceof CharSequence)) {
            return failure("the e-mail field holds a " + TextValues.kindOf(emailValue) + ", not text", settings.emailField(), emailValue);
        }
        final String email;
        try {
            email = EmailAddress.parse(emailValue == null ? null : emailValue.toString(), settings.acceptInternationalized()).value();
        } catch (final InvalidEmailAddressException e) {
            return failure(e.getMessage(), settings.emailField(), emailValue);
        }

        final FieldSelector.Selection optOut = settings.optOutField().select(record);
        final OptOutDecoder decoder = decoderFor(optOut.fieldName());
        final Decoding decoding = optOut.isMultiple() ? decoder.decodeAll(optOut.values()) : decoder.decode(optOut.value());
        if (decoding.isUnrecognized()) {
            return failure(decoding.reason(), settings.optOutField(), optOut.isMultiple() ? optOut.values() : optOut.value());
        }

        BounceKind bounce = decoding.bounce();
        for (final BounceKind kind : BOUNCE_KINDS) {
            final FieldSelector field = kind == BounceKind.HARD ? settings.hardBounceField() : settings.softBounceField();
            if (field == null) {
                continue;
            }
            final FieldSelector.Selection selection = field.select(record);
            final Boolean bounced = selection.isMultiple() ? null : BounceFlags.isBounced(selection.value());
            if (bounced == null) {
                return selection.isMultiple()
                        ? failure("the bounce field selects " + selection.values().size() + " values; select exactly one", field, selection.values())
                        : failure("the bounce field's value is neither a yes/no flag nor a count", field, selection.value());
            }
            if (bounced) {
                bounce = BounceFlags.strongest(bounce, kind);
            }
        }
        return new RecordVerdict.Canonical(email, decoding.status(), bounce, decoding.reason());
    }

    private OptOutDecoder decoderFor(final String fieldName) {
        if (settings.decoder() != null) {
            return settings.decoder();
        }
        return autoDetected.computeIfAbsent(fieldName == null ? "" : fieldName, AutoDetectDecoder::forField);
    }

    private static RecordVerdict failure(final String reason, final FieldSelector field, final Object value) {
        return new RecordVerdict.Failure(reason, field.path(), value);
    }
}
