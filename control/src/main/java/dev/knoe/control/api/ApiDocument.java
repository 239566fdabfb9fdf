package dev.knoe.control.api;

import dev.knoe.control.spec.Names;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * Finishes the OpenAPI document quarkus-smallrye-openapi generates from the resources ({@code
 * /api/v1/openapi.json}): the names in paths get the rules the resources check ({@link Names}), so
 * a client or a fuzzer knows what a name may be, and the schema {@code Name} (which {@code
 * META-INF/openapi.yaml}'s spec schemas use) is {@link Names#ENDPOINT}'s rule. Written from {@link
 * Names} so the document cannot drift from the checks.
 */
public class ApiDocument implements OASFilter {

  @Override
  public void filterOpenAPI(OpenAPI api) {
    if (api.getComponents() == null) {
      api.setComponents(OASFactory.createComponents());
    }
    api.getComponents().addSchema("Name", name(Names.ENDPOINT));
    if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
      return;
    }
    for (Map.Entry<String, PathItem> e : api.getPaths().getPathItems().entrySet()) {
      String path = e.getKey();
      List<Parameter> parameters = new ArrayList<>();
      if (e.getValue().getParameters() != null) {
        parameters.addAll(e.getValue().getParameters());
      }
      e.getValue()
          .getOperations()
          .values()
          .forEach(
              o -> parameters.addAll(o.getParameters() == null ? List.of() : o.getParameters()));
      for (Parameter p : parameters) {
        if (p.getIn() == Parameter.In.PATH) {
          Schema schema = pathParameter(path, p.getName());
          if (schema != null) {
            p.setSchema(schema);
          }
        }
      }
    }
  }

  /** The schema of a path parameter, or null to keep the generated one. */
  static Schema pathParameter(String path, String parameter) {
    if (path.startsWith("/api/v1/models/")) {
      return switch (parameter) {
        case "name" -> name(Names.MODEL);
        case "version" ->
            OASFactory.createSchema()
                .addType(Schema.SchemaType.INTEGER)
                .format("int32")
                .minimum(BigDecimal.ONE);
        default -> null;
      };
    }
    if (path.startsWith("/api/v1/endpoints/")) {
      // {endpoint} and {name}: an endpoint's or a deployment's name, one rule for both.
      return switch (parameter) {
        case "endpoint", "name" -> name(Names.ENDPOINT);
        default -> null;
      };
    }
    return null;
  }

  private static Schema name(Names.Rule rule) {
    return OASFactory.createSchema()
        .addType(Schema.SchemaType.STRING)
        .minLength(rule.minLength())
        .maxLength(rule.maxLength())
        .pattern(rule.pattern().pattern())
        .description(rule.kind() + " name: " + rule.allowed());
  }
}
