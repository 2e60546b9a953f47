package io.mailroom.mailbox.domain;

import java.util.List;
import java.util.Optional;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface DomainRepository extends JpaRepository<Domain, Long> {

    Optional<Domain> findByName(String name);

    boolean existsByName(String name);

    List<Domain> findByIdGreaterThanOrderById(long id, Limit limit);
}
