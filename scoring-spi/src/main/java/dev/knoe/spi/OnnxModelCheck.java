package dev.knoe.spi;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.knoe.spi.onnx.Onnx.ModelProto;
import dev.knoe.spi.onnx.Onnx.StringStringEntryProto;
import dev.knoe.spi.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Whether a file is an ONNX model that may be stored or loaded: the one judgement the registry
 * makes at upload, the control plane makes on a local model path and the scoring function makes
 * before ONNX Runtime opens the file. A model passes when
 *
 * <ul>
 *   <li>it parses as an ONNX {@code ModelProto} (a file cut inside a field does not);
 *   <li>it has an {@code ir_version}, a {@code graph} and an {@code opset_import}, which every
 *       model has. Protobuf writes fields in number order, so a file cut between two fields parses;
 *       it then lacks the last ones: {@code opset_import} (field 8) comes after the graph (7);
 *   <li>every tensor that keeps its data in another file ({@code external_data} {@code location})
 *       names a file that exists, by a relative path that stays inside the model's root folder once
 *       resolved against the model file's folder and normalised, and once symbolic links are
 *       followed. ONNX Runtime opens that path, so {@code /etc/passwd} or {@code ../../secret}
 *       would read any file the process can into the model's weights.
 * </ul>
 *
 * The file is memory-mapped and parsed without copying: models are hundreds of MB, and the weights
 * (fields the reduced schema leaves out) are skipped.
 */
public final class OnnxModelCheck {

  private static final String LOCATION = "location";

  private OnnxModelCheck() {}

  /**
   * Checks a model file.
   *
   * @param root the folder the model's external data must stay in: the folder the model was given
   *     as, or the file's own folder
   * @throws InvalidModelException naming the problem
   */
  public static void check(Path file, Path root) {
    Path model = file.toAbsolutePath().normalize();
    ModelProto proto = parse(model);
    if (!proto.hasIrVersion()) {
      throw incomplete("ir_version (field 1)");
    }
    if (!proto.hasGraph()) {
      throw incomplete("graph (field 7)");
    }
    if (proto.getOpsetImportCount() == 0) {
      throw incomplete("opset_import (field 8)");
    }
    var data = new ExternalData(model.getParent(), root.toAbsolutePath().normalize());
    for (ModelTensors.Located t : ModelTensors.of(proto)) {
      data.check(t);
    }
  }

  private static ModelProto parse(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        throw new InvalidModelException("the file is empty");
      }
      if (size > Integer.MAX_VALUE) {
        throw new InvalidModelException(
            "the file is "
                + size
                + " bytes, above protobuf's limit of 2 GiB; ONNX models that large keep their"
                + " weights in external data files");
      }
      MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      return DiscardUnknownFieldsParser.wrap(ModelProto.parser()).parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidModelException(
          "the file does not parse as an ONNX model: " + firstSentence(e.getMessage()));
    } catch (IOException e) {
      throw new InvalidModelException("cannot read the file: " + e.getMessage());
    }
  }

  private static InvalidModelException incomplete(String field) {
    return new InvalidModelException(
        "the model has no "
            + field
            + ", which every ONNX model has; the file is cut short or not an ONNX model");
  }

  /** Protobuf's messages go on to guess at causes over two more sentences. */
  private static String firstSentence(String message) {
    int end = message.indexOf(". ");
    return end < 0 ? message : message.substring(0, end);
  }

  /** The rule for a tensor's {@code external_data}, relative to one model file. */
  private record ExternalData(Path folder, Path root) {

    void check(ModelTensors.Located located) {
      TensorProto t = located.tensor();
      if (t.getExternalDataCount() == 0) {
        return;
      }
      List<String> locations =
          t.getExternalDataList().stream()
              .filter(e -> e.getKey().equals(LOCATION))
              .map(StringStringEntryProto::getValue)
              .toList();
      if (locations.isEmpty()) {
        throw refuse(located, "has external_data without a location");
      }
      // A runtime takes one of them (ONNX Runtime the last); all must pass.
      locations.forEach(location -> check(located, location));
    }

    private void check(ModelTensors.Located located, String location) {
      String quoted = "'" + location + "'";
      Path relative;
      try {
        relative = Path.of(location);
      } catch (InvalidPathException e) {
        throw refuse(located, "keeps its data at " + quoted + ", which is not a valid path");
      }
      if (relative.isAbsolute()) {
        throw refuse(
            located,
            "keeps its data at "
                + quoted
                + ", an absolute path; external data must be a relative path inside the model's"
                + " folder");
      }
      Path opened = folder.resolve(relative); // as the runtime opens it, ".." and links included
      if (!opened.normalize().startsWith(root)) {
        throw refuse(located, "keeps its data at " + quoted + ", which leaves the model's folder");
      }
      if (!Files.exists(opened)) {
        throw refuse(
            located,
            "keeps its data in " + quoted + ", which does not exist in the model's folder");
      }
      Path real;
      try {
        real = opened.toRealPath();
        if (!real.startsWith(root.toRealPath())) {
          throw refuse(
              located,
              "keeps its data in "
                  + quoted
                  + ", which leads by a symbolic link out of the model's folder");
        }
      } catch (IOException e) {
        throw refuse(located, "keeps its data in " + quoted + ", which cannot be read");
      }
      if (!Files.isRegularFile(real)) {
        throw refuse(located, "keeps its data in " + quoted + ", which is not a file");
      }
    }

    private static InvalidModelException refuse(ModelTensors.Located located, String problem) {
      return new InvalidModelException(located.where() + " " + problem);
    }
  }
}
