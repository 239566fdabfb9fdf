package dev.knoe.spi;

import dev.knoe.spi.onnx.Onnx.AttributeProto;
import dev.knoe.spi.onnx.Onnx.FunctionProto;
import dev.knoe.spi.onnx.Onnx.GraphProto;
import dev.knoe.spi.onnx.Onnx.ModelProto;
import dev.knoe.spi.onnx.Onnx.NodeProto;
import dev.knoe.spi.onnx.Onnx.SparseTensorProto;
import dev.knoe.spi.onnx.Onnx.TensorProto;
import dev.knoe.spi.onnx.Onnx.TrainingInfoProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Every tensor of a model that can keep its data in another file: the initializers (dense and
 * sparse) of the graph, the tensors in node attributes, and the same inside every subgraph (an
 * {@code If}'s branches, a {@code Loop}'s body), model-local function and training graph. Missing
 * one would leave a way past the check, so the walk follows every field of the schema that holds a
 * tensor or a graph.
 */
final class ModelTensors {

  /**
   * A tensor and where it sits, e.g. {@code graph 'main' > node 'If_0' attribute 'then_branch' >
   * graph 'then' initializer 'w'}, for the message that refuses it.
   */
  record Located(String where, TensorProto tensor) {}

  private final List<Located> found = new ArrayList<>();

  private ModelTensors() {}

  static List<Located> of(ModelProto model) {
    ModelTensors walk = new ModelTensors();
    walk.graph(model.getGraph(), "");
    for (FunctionProto f : model.getFunctionsList()) {
      String at = "function" + named(f.getName());
      f.getNodeList().forEach(n -> walk.node(n, at + " "));
      f.getAttributeProtoList()
          .forEach(a -> walk.attribute(a, at + " attribute" + named(a.getName())));
    }
    for (TrainingInfoProto t : model.getTrainingInfoList()) {
      walk.graph(t.getInitialization(), "training_info initialization ");
      walk.graph(t.getAlgorithm(), "training_info algorithm ");
    }
    return walk.found;
  }

  private void graph(GraphProto g, String where) {
    String at = where + "graph" + named(g.getName());
    g.getInitializerList().forEach(t -> found.add(new Located(at + " initializer" + named(t), t)));
    g.getSparseInitializerList().forEach(s -> sparse(s, at + " sparse_initializer"));
    g.getNodeList().forEach(n -> node(n, at + " > "));
  }

  private void node(NodeProto n, String where) {
    String at = where + "node" + named(n.getName().isEmpty() ? n.getOpType() : n.getName());
    n.getAttributeList().forEach(a -> attribute(a, at + " attribute" + named(a.getName())));
  }

  private void attribute(AttributeProto a, String at) {
    if (a.hasT()) {
      found.add(new Located(at, a.getT()));
    }
    a.getTensorsList().forEach(t -> found.add(new Located(at + " tensor" + named(t), t)));
    if (a.hasSparseTensor()) {
      sparse(a.getSparseTensor(), at + " sparse tensor");
    }
    a.getSparseTensorsList().forEach(s -> sparse(s, at + " sparse tensor"));
    if (a.hasG()) {
      graph(a.getG(), at + " > ");
    }
    a.getGraphsList().forEach(g -> graph(g, at + " > "));
  }

  /** A sparse tensor is two tensors, and either can be external. */
  private void sparse(SparseTensorProto s, String at) {
    String name = at + named(s.getValues());
    if (s.hasValues()) {
      found.add(new Located(name + " values", s.getValues()));
    }
    if (s.hasIndices()) {
      found.add(new Located(name + " indices", s.getIndices()));
    }
  }

  private static String named(TensorProto t) {
    return named(t.getName());
  }

  private static String named(String name) {
    return name.isEmpty() ? "" : " '" + name + "'";
  }
}
