package io.mailroom.mailbox.account;

import java.util.Optional;

import org.springframework.data.jpa.repository.JpaRepository;

public interface AccountRepository extends JpaRepository<Account, Long> {

    Optional<Account> findByAddress(String address);

    boolean existsByAddress(String address);

    java.util.List<Account> findByIdGreaterThanOrderById(long id, org.springframework.data.domain.Limit limit);

    java.util.List<Account> findByDomainIdAndIdGreaterThanOrderById(long domainId, long id, org.springframework.data.domain.Limit limit);
}
