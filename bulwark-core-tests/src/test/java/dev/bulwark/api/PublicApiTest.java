package dev.bulwark.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lists the public API of each modular Bulwark module — every public type of its exported
 * packages, with its public and protected members — and compares it with the list committed in
 * {@code src/test/resources/api/}. A change to the public API fails the build until the list is
 * updated on purpose: run {@code mvn -pl bulwark-core-tests test -Dtest=PublicApiTest
 * -Dbulwark.api.update=true} and commit the new list with the change. The internal package is
 * exported only to Bulwark's own modules, so it is never in the list, and no listed signature may
 * mention it.
 */
class PublicApiTest {
    private static final Path LISTS = Path.of("src", "test", "resources", "api");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dev.bulwark.CallContext", "dev.bulwark.discovery.ServiceInstance"})
    void theListedPublicApiIsThePublicApi(String anyClassOfTheModule) throws Exception {
        Class<?> anchor = Class.forName(anyClassOfTheModule);
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleReference module = ModuleFinder.of(location).findAll().stream().findFirst()
                .orElseThrow(() -> new AssertionError(location + " holds no module"));
        ModuleDescriptor descriptor = module.descriptor();
        List<String> api = list(descriptor, module);

        assertThat(api).as("public signatures naming internal types").noneMatch(line -> line.contains("dev.bulwark.internal."));
        assertThat(descriptor.exports()).as("the internal package is exported only to Bulwark's modules")
                .filteredOn(e -> e.source().startsWith("dev.bulwark.internal"))
                .allMatch(ModuleDescriptor.Exports::isQualified);

        Path file = LISTS.resolve(descriptor.name() + ".api");
        if (Boolean.getBoolean("bulwark.api.update")) {
            Files.createDirectories(LISTS);
            Files.write(file, api, StandardCharsets.UTF_8);
            return;
        }
        assertThat(file).as("the committed API list; create it with -Dbulwark.api.update=true").exists();
        List<String> committed = Files.readAllLines(file, StandardCharsets.UTF_8);
        Set<String> added = new LinkedHashSet<>(api);
        committed.forEach(added::remove);
        Set<String> removed = new LinkedHashSet<>(committed);
        api.forEach(removed::remove);
        assertThat(added.isEmpty() && removed.isEmpty())
                .as("the public API of %s changed; if on purpose, rerun with -Dbulwark.api.update=true and commit %s%n"
                        + "added:%n  %s%nremoved:%n  %s", descriptor.name(), file, String.join("\n  ", added),
                        String.join("\n  ", removed))
                .isTrue();
    }

    private static List<String> list(ModuleDescriptor descriptor, ModuleReference module) throws IOException, URISyntaxException {
        Set<String> exported = descriptor.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        List<String> lines = new ArrayList<>();
        lines.add("module " + descriptor.name() + " exports " + exported);
        List<String> classNames;
        try (var reader = module.open(); Stream<String> entries = reader.list()) {
            classNames = entries.filter(n -> n.endsWith(".class") && !n.equals("module-info.class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        }
        for (String name : classNames) {
            String pkg = name.substring(0, name.lastIndexOf('.'));
            if (!exported.contains(pkg)) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            if (visible(type)) {
                describe(type, lines);
            }
        }
        return lines;
    }

    /** Public, and reachable: a nested type only if every enclosing type is public too. */
    private static boolean visible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static void describe(Class<?> type, List<String> lines) {
        String name = type.getName();
        StringBuilder header = new StringBuilder(name).append(": ")
                .append(Modifier.toString(type.getModifiers() & ~Modifier.INTERFACE & ~Modifier.STATIC))
                .append(type.isInterface() ? " interface" : type.isEnum() ? " enum" : type.isRecord() ? " record" : " class");
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum() && !type.isRecord()) {
            header.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0) {
            header.append(" implements ").append(Arrays.stream(type.getGenericInterfaces())
                    .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", ")));
        }
        lines.add(header.toString());
        Set<String> members = new TreeSet<>();
        boolean extensible = !Modifier.isFinal(type.getModifiers()) && !type.isEnum() && !type.isRecord();
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (shown(c.getModifiers(), extensible, c.isSynthetic())) {
                members.add(c.toGenericString());
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (shown(m.getModifiers(), extensible, m.isSynthetic() || m.isBridge())) {
                members.add(m.toGenericString());
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (shown(f.getModifiers(), extensible, f.isSynthetic())) {
                members.add(f.toGenericString());
            }
        }
        for (String member : members) {
            lines.add("  " + member.replace(name + ".", "").replace(name + "$", ""));
        }
    }

    private static boolean shown(int modifiers, boolean extensible, boolean synthetic) {
        return !synthetic && (Modifier.isPublic(modifiers) || (extensible && Modifier.isProtected(modifiers)));
    }
}
