package dev.knoe.control.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The control API's OpenAPI document: behind the admin key, one operation for every method of every
 * resource (read from their JAX-RS annotations, as {@link RouteWalkTest} walks them) and no other,
 * the spec bodies described, the names in paths with the rules the API checks.
 */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class ApiDocumentTest {

  @Test
  void needsTheAdminKey() {
    given().get("/api/v1/openapi.json").then().statusCode(401);
    ControlApiTest.admin().get("/api/v1/openapi.json").then().statusCode(200);
    ControlApiTest.admin().get("/api/v1/openapi.yaml").then().statusCode(200);
  }

  @Test
  void listsEveryResourceMethodAndNothingElse() {
    JsonPath doc = ControlApiTest.admin().get("/api/v1/openapi.json").jsonPath();
    Set<String> documented = new TreeSet<>();
    Map<String, Map<String, Object>> paths = doc.getMap("paths");
    paths.forEach(
        (path, ops) ->
            ops.keySet().stream()
                .filter(m -> !m.equals("parameters"))
                .forEach(m -> documented.add(m.toUpperCase() + " " + path)));
    assertEquals(routes(), documented);
  }

  @Test
  void describesTheSpecBodiesAndTheNames() {
    JsonPath doc = ControlApiTest.admin().get("/api/v1/openapi.json").jsonPath();
    for (String type : new String[] {"application/yaml", "application/json"}) {
      assertEquals(
          "#/components/schemas/EndpointSpec",
          doc.getString(
              "paths.'/api/v1/endpoints'.post.requestBody.content.'" + type + "'.schema.$ref"));
      assertEquals(
          "#/components/schemas/DeploymentSpec",
          doc.getString(
              "paths.'/api/v1/endpoints/{endpoint}/deployments/{name}'.put.requestBody.content.'"
                  + type
                  + "'.schema.$ref"));
    }
    // Every key the parser reads, no other (Azure's ignored keys are accepted with a warning).
    assertEquals(
        Set.copyOf(dev.knoe.control.spec.SpecParser.DEPLOYMENT_KEYS),
        doc.getMap("components.schemas.DeploymentSpec.properties").keySet());
    assertEquals(
        Set.copyOf(dev.knoe.control.spec.SpecParser.ENDPOINT_KEYS),
        doc.getMap("components.schemas.EndpointSpec.properties").keySet());
    assertEquals(
        dev.knoe.control.spec.Names.ENDPOINT.pattern().pattern(),
        doc.getString("components.schemas.Name.pattern"));
    String name =
        doc.getString(
            "paths.'/api/v1/endpoints/{endpoint}/deployments/{name}'.get.parameters.find { it.name == 'name' }.schema.pattern");
    assertEquals(dev.knoe.control.spec.Names.DEPLOYMENT.pattern().pattern(), name);
  }

  @Test
  void saysTheStatusesTheResourcesAnswer() {
    JsonPath doc = ControlApiTest.admin().get("/api/v1/openapi.json").jsonPath();
    String deployment = "paths.'/api/v1/endpoints/{endpoint}/deployments/{name}'";
    assertEquals(Set.of("201"), success(doc, "paths.'/api/v1/endpoints'.post"));
    assertEquals(Set.of("202"), success(doc, deployment + ".put"));
    assertEquals(Set.of("204"), success(doc, deployment + ".delete"));
    assertEquals(Set.of("201"), success(doc, "paths.'/api/v1/models/{name}/versions'.post"));
  }

  private static Set<String> success(JsonPath doc, String operation) {
    Set<String> out = new TreeSet<>();
    doc.getMap(operation + ".responses").keySet().stream()
        .map(Object::toString)
        .filter(c -> c.startsWith("2"))
        .forEach(out::add);
    return out;
  }

  /** {@code VERB /path} of every JAX-RS resource method of the control module. */
  static Set<String> routes() {
    Set<String> out = new TreeSet<>();
    for (JavaClass c : new ClassFileImporter().importPackages("dev.knoe.control")) {
      if (!c.isAnnotatedWith(jakarta.ws.rs.Path.class)) {
        continue;
      }
      Class<?> type = c.reflect();
      String root = type.getAnnotation(jakarta.ws.rs.Path.class).value();
      for (Method m : type.getMethods()) {
        for (var a : m.getAnnotations()) {
          jakarta.ws.rs.HttpMethod http =
              a.annotationType().getAnnotation(jakarta.ws.rs.HttpMethod.class);
          if (http != null) {
            jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
            out.add(
                http.value()
                    + " "
                    + (sub == null ? root : root + "/" + sub.value()).replaceAll("/+", "/"));
          }
        }
      }
    }
    assertTrue(out.size() > 15, "the resources' methods: " + out);
    return out;
  }
}
