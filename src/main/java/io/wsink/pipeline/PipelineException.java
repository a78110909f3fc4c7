package io.wsink.pipeline;

/** A message the pipeline cannot turn into frames; counted as an exception of the action, which keeps running. */
public final class PipelineException extends Exception {
  public PipelineException(String message) {
    super(message, null, false, false);
  }
}
