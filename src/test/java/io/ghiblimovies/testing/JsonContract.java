package io.ghiblimovies.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * The JSON contract the running app publishes ({@code /q/openapi} on the management interface):
 * a live answer is checked against the schema there, by a JSON Schema validator (OpenAPI 3.1's
 * schemas are JSON Schema 2020-12), so that the contract cannot drift from the code.
 */
public final class JsonContract {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonContract() {
    }

    /** Fails, naming each violation, unless {@code json} is a {@code schema} of the published contract. */
    public static void assertFollows(String json, String schema) {
        List<Error> errors = schema(schema).validate(json, InputFormat.JSON);

        assertThat(errors).as("%s violations of the published schema %s", errors.size(), schema)
                .extracting(Error::toString).isEmpty();
    }

    /** The published document, made a schema whose root is {@code components.schemas.<name>}. */
    private static Schema schema(String name) {
        try {
            String published = Management.given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
            ObjectNode document = (ObjectNode) MAPPER.readTree(published);
            assertThat(document.path("components").path("schemas").has(name)).as("the contract defines %s", name).isTrue();
            ObjectNode root = MAPPER.createObjectNode();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            root.put("$ref", "#/components/schemas/" + name);
            root.set("components", document.get("components"));
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(MAPPER.writeValueAsString(root), InputFormat.JSON);
        } catch (Exception e) {
            throw new AssertionError("The published contract cannot be read as a JSON schema", e);
        }
    }
}
