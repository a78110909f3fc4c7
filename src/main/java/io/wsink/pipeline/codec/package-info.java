/**
 * The byte stages of the sink pipeline (§5.1 of the spec): {@link io.wsink.pipeline.codec.Format format} →
 * {@link io.wsink.pipeline.codec.Compressor compression} → {@link io.wsink.pipeline.codec.Encryptor encryption}, each
 * built once per action from its properties and then applied to every message, in that order.
 *
 * <pre>{@code
 * Format format = Format.of(props.format(), props.delimiter(), props.fields());   // json | delimited | binary
 * Compressor compressor = Compressor.of(props.compression());                     // null when ""
 * Encryptor encryptor = props.encryption().isEmpty() ? null
 *     : Encryptor.aes(aesKey, encProps.mode(), encProps.ivOrNull());              // key and iv decoded from base64
 *
 * byte[] bytes = format.encode(value);              // CodecException: count it, drop the message, keep running
 * if (compressor != null) bytes = compressor.compress(bytes);
 * if (encryptor != null) bytes = encryptor.encrypt(bytes);
 * }</pre>
 *
 * <p>The factories throw {@link java.lang.IllegalArgumentException} with a message fit for a 400 at rule creation;
 * {@link io.wsink.pipeline.codec.Format#encode} throws {@link io.wsink.pipeline.codec.CodecException} for one message
 * it cannot encode. Every instance is safe to share between threads.
 *
 * <p>What eKuiper does, and where this package differs:
 * <ul>
 *   <li>{@code json}: eKuiper marshals with Go's {@code encoding/json}, which sorts map keys, escapes {@code <},
 *   {@code >} and {@code &} in strings and writes a whole float64 without a fraction ({@code 22}); here keys keep
 *   the row's order, nothing is HTML-escaped and Jackson writes a number as the row holds it ({@code 22.0} for a
 *   Double).</li>
 *   <li>{@code delimited} and {@code binary} follow eKuiper v2's converters (see {@code DelimitedFormat} and
 *   {@code BinaryFormat}); for a result set with {@code fields}, the columns are {@code fields} in order, where
 *   eKuiper writes the selected keys sorted.</li>
 *   <li>Compression: the stream formats are eKuiper's; the compressed bytes are not the same bytes (another deflate
 *   and zstd implementation), and zstd's {@code compressionProps.windowSize} is not offered.</li>
 *   <li>Encryption: byte-compatible for {@code cfb} and for {@code gcm} without {@code aad}. eKuiper's {@code gcm}
 *   refuses a plaintext shorter than 12 bytes (a bug); here any length is encrypted. {@code encProps.aad} and
 *   {@code encProps.tagsize} (eKuiper then writes tag ‖ ciphertext without the nonce) are not offered.</li>
 * </ul>
 */
package io.wsink.pipeline.codec;
